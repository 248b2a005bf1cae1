"""Address lists in one value (Zammad's ticket_articles "to"/cc, LimeSurvey's
emailnotificationto): items separated by ',' or ';', a ',' inside a quoted display
name separating nothing. Judged as text mentioning addresses they got `lorem`, their
addresses turned into words; the email strategy masks each item in place.
"""

from __future__ import annotations

import re

# An item (quoted strings whole) and the separator after it, as strategies/email_lists.py
_ITEM = re.compile(r'((?:"[^"]*"|"[^"]*$|[^,;"])*)([,;]|$)')


def items(value: str) -> list[str]:
    """The non-blank items of a list, stripped; one item for a value with no separator."""
    found = [m.group(1).strip() for m in _ITEM.finditer(value)]
    return [item for item in found if item]
