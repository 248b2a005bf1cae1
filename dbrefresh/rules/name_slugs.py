"""Slugs made of the row's own person's names, for `own_names.py`.

Ghost's users.slug ('laura-sanders3', the author's URL /author/laura-sanders3/) was
kept beside the masked users.name: own_names read words as text writes them
('Laura'), and a slug writes them in lower case, joined by '-', '.' or '_', a
counter after them; "2 of 12 name their own person" where 12 did. A value of that
shape whose words are all the person's names (two of them at least, accents aside:
'jose-maria-ripoll' or 'josé-maría-ripoll' for José María Ripoll) is a slug naming
them. A blog post's slug ('my-trip-to-berlin') holds other words, and stays.

Immich's users."storageLabel" ('anthony119', the folder of the user's photos) is one
name and a number, as logins and handles are made: "3 of 225 name their own person",
the digits hiding the name from the word match. One name followed by digits counts as
a slug of the person's names too; the name alone ('anna') may be anything, and does not.

Such a column gets `hash` with the prefix 'user-': lower-case letters, digits and a
hyphen, a slug still (a URL the application builds from it still routes), distinct
values stay distinct (a unique slug stays unique), and the names are gone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

SHARE = 0.5  # of the sampled values, slugs naming their own person
MIN_WORDS = 2  # names in a slug: 'anna' alone may be anything
PARAMS = {"prefix": "user-"}
_SLUG = re.compile(r"[^\W_]+(?:[-._][^\W_]+)*")  # letters of any script, digits
_PARTS = re.compile(r"[-._]")


def plain(word: str) -> str:
    """Lower case, accents dropped ('José' -> 'jose')."""
    text = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def slug_words(names: Iterable[str]) -> frozenset[str]:
    """A person's name words as a slug writes them."""
    return frozenset(plain(w) for w in names)


def names_own_person(value: str, words: frozenset[str]) -> bool:
    """A slug ('laura-sanders3', 'anna.lena.meyer', 'karl_heinz') of the person's names."""
    text = value.strip()
    if not words or text != text.lower() or _SLUG.fullmatch(text) is None:
        return False
    parts = [plain(p).rstrip("0123456789") for p in _PARTS.split(text)]
    named = [p for p in parts if p]
    counted = len(named) >= MIN_WORDS or (len(named) == 1 and text[-1].isdigit())
    return counted and all(p in words for p in named)


def reason(matched: int, sampled: int) -> str:
    return (
        f"{matched} of {sampled} sampled values are slugs of their own person's names "
        "(lower case, joined by - . or _, or one name and digits as a login is): hashed "
        "behind 'user-', still a slug"
    )
