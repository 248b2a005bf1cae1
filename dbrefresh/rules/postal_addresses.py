"""Whole postal addresses in one value, for `pii_values.py`.

An opaque column (Baserow's field_2, a survey's free answer) holding faker's
`address()` ('7070 Warner Ridges Suite 228\\nNorth Kaylee, ND 72372', 'Schleichstraße
19\\n48337 Lichtenfels') or the same joined by commas was kept: the street detector
reads a street line alone, and the rest made it no street. Such a value is a street
line (a few parts, split at line breaks and commas, that `is_street` accepts; a name
or c/o line may come first) followed by short parts of which one holds a postcode.
A sentence with a street in it is not one: each part is short. Pure logic.
"""

from __future__ import annotations

import re

from dbrefresh.rules.streets import is_street

LOOKS_LIKE = "postal addresses (a street line, then a postcode)"
MAX_PARTS = 7  # name, c/o, street, unit, town, region, postcode
MAX_PART_WORDS = 6  # a town or region line, not a sentence
# 12345, 02-931, 95896-935, 1012 TX, 'SR08 7UX', 'M1 2AB', 'ND 72372'
POSTCODE = re.compile(
    r"\b(?:\d{4,8}|\d{2}-\d{3}|\d{5}-\d{3,4}|\d{4}\s?[A-Z]{2}"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b"
)


def is_address(value: str) -> bool:
    """A street line, then a town or postcode line holding a postcode."""
    # split at line breaks and commas, then stripped: a regex eating the blanks around
    # each separator tried every position of a long run of them, quadratic
    parts = [p.strip() for p in re.split(r"[\n,]", value) if p.strip()]
    if not 2 <= len(parts) <= MAX_PARTS or any(len(p.split()) > MAX_PART_WORDS for p in parts):
        return False
    for start in range(min(3, len(parts) - 1)):  # a name or c/o line before the street
        for end in range(start + 1, min(start + 4, len(parts))):
            if is_street(", ".join(parts[start:end])) and any(
                POSTCODE.search(p) for p in parts[end:]
            ):
                return True
    return False
