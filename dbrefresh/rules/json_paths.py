"""JSON documents in `rules init`: which paths of a sampled column hold personal data.

Each sampled document is walked into (dotted path, scalar) pairs the way the jsonb
strategy addresses them: object keys, and array positions as numbers ('phones.0'). A
path is proposed when its last key names a kind (pii.match_name) or its values pass a
value detector (pii_values.match_values), judged over the documents that have it.
Pure logic: the sample comes from rules/sample.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dbrefresh.rules import pii, pii_values

MAX_DEPTH = 8  # deeper paths are left to review
MAX_PATHS = 500  # distinct paths looked at per column (documents with free-form keys)


@dataclass(frozen=True)
class PathFinding:
    path: str
    kind: str
    reason: str
    dates: bool = False  # every sampled value is an ISO date (maskable `as: date`)


def _all_dates(values: Sequence[str]) -> bool:
    try:
        return all(date.fromisoformat(v) for v in values)
    except ValueError:
        return False


def _walk(value: Any, prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if depth < MAX_DEPTH:
            for key, item in value.items():
                if key and "." not in key:  # a dotted path cannot name such a key
                    yield from _walk(item, f"{prefix}{key}.", depth + 1)
    elif isinstance(value, list):
        if depth < MAX_DEPTH:
            for index, item in enumerate(value):
                yield from _walk(item, f"{prefix}{index}.", depth + 1)
    elif isinstance(value, str | int | float) and not isinstance(value, bool) and prefix:
        yield prefix[:-1], str(value)


def scalars_by_path(documents: Sequence[str]) -> dict[str, list[str]]:
    """Every path holding a string or number in some document, with those values
    (documents that do not parse, e.g. cut off by the sample's length limit, are skipped)."""
    found: dict[str, list[str]] = {}
    for text in documents:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        for path, value in _walk(doc, "", 0):
            if path in found or len(found) < MAX_PATHS:
                found.setdefault(path, []).append(value)
    return found


def _named_by(path: str) -> str:
    """The key that names a path's value ('phones.0' -> 'phones')."""
    keys = [part for part in path.split(".") if not part.isdigit()]
    return keys[-1] if keys else ""


def find_paths(documents: Sequence[str], table: str) -> list[PathFinding]:
    """The paths that look personal, in path order, each with its kind and reason."""
    out = []
    for path, values in sorted(scalars_by_path(documents).items()):
        by_name = pii.match_name(_named_by(path), table)
        evidence = pii_values.count_kind(values, by_name.kind) if by_name else None
        if by_name is not None:
            reason = by_name.reason.replace("name suggests", "key suggests", 1)
            reason += f", {evidence.reason}" if evidence else ""
            out.append(PathFinding(path, by_name.kind, reason, _all_dates(values)))
            continue
        by_values = pii_values.match_values(values)
        if by_values is not None:
            out.append(PathFinding(path, by_values.kind, by_values.reason, _all_dates(values)))
    return out
