"""The address of a display-name form, as mail headers write it ('"Ann Lee"
<ann@corp.example>', Zammad's ticket_articles.from): `lorem` and `full_name` were
proposed for them, losing the address; the email strategy masks the form whole, name
and address. A name is required: '<...@host>' alone is a message id.
"""

from __future__ import annotations

import re

_DISPLAY_NAME = re.compile(r'(?:"[^"]+"|[^"<>@]*[^\W\d_][^"<>@]*)\s*<\s*([^<>\s]+)\s*>')


def address(value: str) -> str:
    """The bracketed address of a display-name form, else the (stripped) value."""
    text = value.strip()
    found = _DISPLAY_NAME.fullmatch(text)
    return found.group(1) if found is not None else text
