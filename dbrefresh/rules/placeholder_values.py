"""Values at a JSON key that are no one's, whatever the key names: labels, placeholders.

An integration's `form_labels` {"email": "E-mail address", "first_name": "First name"}
holds the labels of a form's fields, a debugger's {"mem": {"address": "0x7ffe1234abcd"}}
a memory address, and {"geo": {"street": "n/a"}} says there is no street: masked by
their keys' names, the form showed a random name as a label and the placeholder became
an address. A path is kept when each of its values is the key's own name in words
('First name' at `first_name`: no person is called that), a memory address at a key
naming a street address, or, in MIN_PLACEHOLDERS values at least, a placeholder for
nothing ('n/a', 'unknown', '-'). Pure logic; json_paths._denied asks it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii

MIN_PLACEHOLDERS = 3  # values, all placeholders, before a path is no one's (not one alone)
PLACEHOLDERS = frozenset(
    {"n/a", "na", "n.a.", "-", "--", "---", "?", "...", "none", "null", "nil", "unknown", "tbd"}
)
_MEMORY = re.compile(r"0x[0-9a-fA-F]{4,16}")
_STREET_KINDS = frozenset({"street", "address"})


def _label(value: str, key: str) -> bool:
    """Whether a value is the key's name in words ('First name', 'E-mail', 'Street:')."""
    words = pii.normalize(value.strip().rstrip(":*").strip())
    return bool(words) and words.replace("_", "") == pii.normalize(key).replace("_", "")


def no_ones(kind: str, key: str, values: Sequence[str]) -> bool:
    """Whether the values at a key naming `kind` are labels or placeholders (module doc)."""
    sample = [v.strip() for v in values if v.strip()]
    if not sample:
        return False
    if all(_label(v, key) for v in sample):
        return True
    if kind in _STREET_KINDS and all(_MEMORY.fullmatch(v) for v in sample):
        return True
    return len(sample) >= MIN_PLACEHOLDERS and all(v.lower() in PLACEHOLDERS for v in sample)
