"""The address of a display-name form, as mail headers write it ('"Ann Lee"
<ann@corp.example>', Zammad's ticket_articles.from): `lorem` and `full_name` were
proposed for them, losing the address; the email strategy masks the form whole, name
and address. A name is required: '<...@host>' alone is a message id.

Read in linear time: the form is cut at its last '<' (an address holds none) and each
part tested on its own.

A sentence ending in a form is no form: Camunda's act_ru_ext_task.error_msg_ 'Credit
check failed for Mary Guerra <mary@x.example>' was masked whole by `email`, the message
becoming an address. An unquoted name of SENTENCE_WORDS words or more, with
SENTENCE_LOWER lowercase words besides name particles ('de', 'van'), is text mentioning
an address (`pii_values.has_contact`), not a display name.

The one regular expression this replaced ('a name with a letter somewhere, then
<address>') backtracked over every split of the name, quadratic in the value:
a 32 KB JSON leaf took 7.5 s, a 30-row event table two minutes of `rules init`.
"""

from __future__ import annotations

import re

MAX_FORM_CHARS = 1000  # a name and an address (RFC 5321 caps it at 254): no form is longer
_QUOTED = re.compile(r'"[^"]+"\s*')
_LETTER = re.compile(r"[^\W\d_]")
_ADDRESS = re.compile(r"[^<>\s]+")
SENTENCE_WORDS = 5  # 'Credit check failed for Mary Guerra'; 'Ann Lee via Zammad' is a name
SENTENCE_LOWER = 2  # lowercase words: 'check', 'failed', 'for'
# lowercase words of names: 'Maria de los Angeles Garcia', 'Ludwig van der Berg'
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "los"}
    | {"las", "y", "e", "bin", "ibn", "al", "el", "dos", "das", "do", "ten", "ter", "zu"}
)


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
    if not any(c in name for c in '"<>@') and _LETTER.search(name) and not _sentence(name):
        return inner
    return text


def _sentence(name: str) -> bool:
    """Words of a sentence before the address, not a display name."""
    words = name.split()
    lower = [w for w in words if w[:1].islower() and w not in _PARTICLES]
    return len(words) >= SENTENCE_WORDS and len(lower) >= SENTENCE_LOWER
