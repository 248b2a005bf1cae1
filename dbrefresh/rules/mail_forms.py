"""The address of a display-name form, as mail headers write it ('"Ann Lee"
<ann@corp.example>', Zammad's ticket_articles.from): `lorem` and `full_name` were
proposed for them, losing the address; the email strategy masks the form whole, name
and address. A name is required: '<...@host>' alone is a message id.

Read in linear time: the form is cut at its last '<' (an address holds none) and each
part tested on its own. The one regular expression this replaced ('a name with a letter
somewhere, then <address>') backtracked over every split of the name, quadratic in the
value: a 32 KB JSON leaf took 7.5 s, a 30-row event table two minutes of `rules init`.
"""

from __future__ import annotations

import re

MAX_FORM_CHARS = 1000  # a name and an address (RFC 5321 caps it at 254): no form is longer
_QUOTED = re.compile(r'"[^"]+"\s*')
_LETTER = re.compile(r"[^\W\d_]")
_ADDRESS = re.compile(r"[^<>\s]+")


def address(value: str) -> str:
    """The bracketed address of a display-name form, else the (stripped) value."""
    text = value.strip()
    if len(text) > MAX_FORM_CHARS or not text.endswith(">"):
        return text
    cut = text.rfind("<")
    if cut <= 0:
        return text  # no name: a message id
    name, inner = text[:cut], text[cut + 1 : -1].strip()
    if _ADDRESS.fullmatch(inner) is None:
        return text
    if _QUOTED.fullmatch(name) is not None:
        return inner
    if not any(c in name for c in '"<>@') and _LETTER.search(name) is not None:
        return inner
    return text
