"""JSON documents in a column whose name says what they hold: its paths are judged so.

Twenty's `phones_additionalPhones` holds [{"number": "612345678", "countryCode":
"+33"}]: the key `number` names nothing, and the numbers' shapes decided alone. Bare
digits passed no phone test (kept: 625 people's numbers reached staging); a few
formatted ones among them passed the free-text test (masked as words, no numbers any
more). In a column named for phone numbers, a path whose values are dialable (six to
fifteen digits, phone punctuation only) is a phone number; a country or calling code
('+33', 'FR') is too short to count. Pure logic over json_paths' sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import (
    contact_names,
    json_credentials,
    json_doubts,
    json_path_rules,
    json_paths,
    pii,
)
from dbrefresh.rules.factor_objects import FactorObjects
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

SHARE = 0.8  # of a path's sampled values, dialable
_DIALABLE = re.compile(r"\+?[\d\s().\-/]+")
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
# keys of a number that is no phone number (an id, a count, a time)
_NOT_NUMBERS = frozenset(
    {"id", "ids", "uuid", "count", "code", "type", "ts", "time", "timestamp", "at", "version"}
)


def _dialable(value: str) -> bool:
    text = value.strip()
    digits = sum(c.isdigit() for c in text)
    return (
        _DIALABLE.fullmatch(text) is not None
        and _DATE_LIKE.fullmatch(text) is None
        and 6 <= digits <= 15
    )


def _phones(path: str, values: Sequence[str]) -> str | None:
    """Why the path holds phone numbers, or None."""
    key = path_parts(path)[-1]
    if not key.isdigit() and set(pii.normalize(key).split("_")) & _NOT_NUMBERS:
        return None
    sample = [v for v in values if v.strip()]
    dialable = sum(map(_dialable, sample))
    if not sample or dialable < SHARE * len(sample):
        return None
    return f"{dialable} of {len(sample)} sampled values are dialable numbers"


def refine(
    found: list[PathFinding], paths: dict[str, list[str]], column: str, table: str
) -> list[PathFinding]:
    """The findings, with the dialable paths of a column named for phone numbers found
    as phone numbers (whatever their shapes alone suggested)."""
    by_name = pii.match_name(column, table)
    if by_name is None or by_name.kind != "phone":
        return found
    out = {f.path: f for f in found}
    for path, values in paths.items():
        if (known := out.get(path)) is not None and known.kind != "free_text":
            continue  # a phone number found already, an email address stays an email
        if (why := _phones(path, values)) is not None:
            reason = f"the column's {by_name.reason}, and {why}"
            out[path] = PathFinding(path, "phone", reason)
    return [out[p] for p in sorted(out)]


def judged(
    paths: dict[str, list[str]],
    table: str,
    column: str,
    factors: FactorObjects | None = None,
) -> list[PathFinding]:
    """json_doubts.trusted_paths, refined by what the column's name says (and a `name`
    beside a contact detail, contact_names.py; a second factor's secrets,
    json_credentials.py, scoped by the objects' type in `factors`)."""
    found = refine(json_paths.judge_paths(paths, table), paths, column, table)
    found = json_credentials.refine(found, paths, column, table, factors)
    found = contact_names.beside_contacts(found, paths)
    found = json_path_rules.refine(found, paths, table)
    return [f for f in found if json_doubts.doubt(f, paths) is None]
