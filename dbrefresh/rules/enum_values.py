"""Enum-like columns: a type or kind the application switches on, never free text.

Canvas's folders.context_type ('User', 'Course': a Rails polymorphic type) got `lorem`
from own_names.py, as 'Course' was a word of the folder's masked "name" ('course
files'); the application then found no owner for any folder. A column named for a type
or a kind, or whose sampled values are a few capitalised class names repeated over the
rows, names no person in them.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dbrefresh.rules.pii import normalize

MAX_CLASSES = 10  # different values an enum-like column shows
MIN_REPEATS = 3  # sampled rows per different value, on average
_NAMES = frozenset({"type", "kind", "class", "discriminator"})
# 'User', 'Course', 'AnonymousUser', 'Admin::Account', 'App\\Models\\User'
_CLASS = re.compile(r"[A-Z][A-Za-z0-9]*(?:(?:::|\\|\.)[A-Z][A-Za-z0-9]*)*")


def named_enum(column: str) -> bool:
    """A column named for a type or a kind: `type`, `context_type`, `owner_kind`."""
    words = normalize(column).split("_")
    return words[-1] in _NAMES and (len(words) == 1 or words[-1] != "class")


def class_names(different: Collection[str], sampled: int) -> bool:
    """A few different capitalised class names, each repeated over the sampled rows."""
    return (
        0 < len(different) <= MAX_CLASSES
        and sampled >= MIN_REPEATS * len(different)
        and all(_CLASS.fullmatch(v.strip()) for v in different)
    )
