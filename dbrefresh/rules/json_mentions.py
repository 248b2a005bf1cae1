"""JSON paths judged like text columns by what their values mention (`text_mentions.py`).

A JSON string holds the same text a column would: '1:1 notes Anna Schmidt' under a
`title` key, an LDAP DN 'CN=Anna Schmidt,OU=Users,DC=corp' under Authentik's
`distinguishedName`. As a text column each was masked (a line naming one person in
most rows); at a JSON path both were kept without a word, as paths got only the
whole-value detectors (pii_values.match_values). A path none of those find is now
judged as a text column is: people named in lines of text, contacts too seldom for
the value detectors, with the same thresholds and REVIEW notes. Numbers are left out
(no name is a number, and `lorem` would turn one into text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from dbrefresh.rules import text_mentions


def _numbers(values: Sequence[str]) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except ValueError:
        return False


def judge(values: Sequence[str]) -> tuple[str | None, list[str]]:
    """The kind to mask a path's values as, with reasons (text_mentions.judge), or None
    with REVIEW notes, or nothing; nothing for numbers."""
    kind, reasons = _judged(tuple(values))
    return kind, list(reasons)


@lru_cache(maxsize=1024)
def _judged(values: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """Once per path's values: a column's paths are judged again for its notes."""
    if not values or _numbers(values):
        return None, ()
    kind, reasons = text_mentions.judge(values)
    return kind, tuple(reasons)


def notes(paths: dict[str, list[str]], judged: set[str]) -> list[str]:
    """REVIEW notes for the paths (not among `judged`, those found personal) that name a
    few people or contacts, too few to mask: as a text column's, counts only."""
    out = []
    for path, values in sorted(paths.items()):
        if path in judged:
            continue
        kind, reasons = judge(values)
        if kind is None:
            out += [f"{path}: {r}" for r in reasons if r.startswith("REVIEW")]
    return [f"REVIEW: {n.replace(': REVIEW: ', ': ', 1)}" for n in out]
