"""JSON paths `rules init` finds personal but must not mask: their values are something
else a rule would break.

Metabase's saved questions showed each shape. An MBQL filter is a tuple
(`["=", ["field", 45, null], "ann@mail.example"]`), so its position 2 holds an email in
some filters, a number or a nested clause in the others: masked as an email,
`["between", ..., 10, 20]` got an address in place of 10. `native.query` holds SQL
queries: `lorem` broke every saved question. `result_metadata`'s `display_name` holds
column labels ('Email'), and a `browser_version` of '120.0.0.0' is no IP address.
Such a path is kept, named in a REVIEW note. Pure logic over json_paths' sample.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from dbrefresh.rules import json_paths, pii, pii_values
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

# A query's start, after blanks, comments and brackets: its statement's first clauses
# ('Update: called back' is a note, 'UPDATE t SET' a query)
_SQL = re.compile(
    r"^(?:\s|--[^\n]*\n|/\*.*?\*/|\()*(?:explain\s+(?:analyze\s+)?)?"
    r"(?:select\b.*?\bfrom\b|with\s+(?:recursive\s+)?\w+\s+as\s*\("
    r"|insert\s+into\b|update\s+\S+\s+set\b|delete\s+from\b)",
    re.IGNORECASE | re.DOTALL,
)
NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
MAX_LABELS = 5  # distinct values repeated from document to document: labels, no people
MIN_LABELLED = 10  # documents before a repeated value is a label (one customer's orders)
_VERSION_KEY = re.compile(r"(?:^|_)(?:version|ver|build|release)$")


def is_sql(value: str) -> bool:
    return bool(_SQL.match(value))


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _containers(path: str, paths: dict[str, list[str]]) -> int:
    """How many sampled documents hold an array or object at `path` (at least): the
    most values any one key or position right under it has."""
    prefix = path_parts(path)
    under = {p: path_parts(p) for p in paths}
    inside = [p for p, parts in under.items() if parts[: len(prefix)] == prefix != parts]
    counts = [len(paths[p]) for p in inside if len(under[p]) == len(prefix) + 1]
    if counts:
        return max(counts)
    return 1 if inside else 0


def _held_inside(found: PathFinding, paths: dict[str, list[str]]) -> bool:
    """Whether the objects at an array position hold the kind under a key of theirs
    (Passport's `emails`: [{"value": <address>}] from GitHub beside ["<address>"] from
    LDAP): the jsonb rule masks its objects by that path, the rest by the position's."""
    parts = path_parts(found.path)
    for path, values in paths.items():
        under = path_parts(path)
        if len(under) > len(parts) and under[: len(parts)] == parts:
            evidence = pii_values.count_kind(values, found.kind)
            if evidence is not None and 2 * evidence.matched > len(values):
                return True
    return False


def _mixed_position(
    found: PathFinding, values: Sequence[str], containers: int, paths: dict[str, list[str]]
) -> str | None:
    """An array position holding values of several shapes (a tuple like an MBQL
    clause), where the kind's values are no majority: unless every other value is an
    object holding the kind itself (_held_inside)."""
    if not path_parts(found.path)[-1].isdigit():
        return None
    total = len(values) + containers
    evidence = pii_values.count_kind(values, found.kind)
    matched = evidence.matched if evidence else 0
    numbers = sum(map(_is_number, values))
    others = containers + numbers
    sample = [v for v in values if v.strip()]
    if not numbers and matched == len(sample) and _held_inside(found, paths):
        return None
    if others and others < total and (2 * matched <= total or 2 * others > total):
        return (
            f"{found.path}: an array position whose {total} sampled values are of several "
            f"shapes, {matched} of them {pii.LABELS.get(found.kind, found.kind)}"
        )
    return None


def _sql(found: PathFinding, values: Sequence[str]) -> str | None:
    """SQL queries are machine data: masked as text, every saved query broke. Kept
    unless most of them hold a contact detail."""
    sample = [v for v in values if v.strip()]
    if not sample or 2 * sum(map(is_sql, sample)) < len(sample):
        return None
    contacts = sum(map(pii_values.has_contact, sample))
    if 2 * contacts > len(sample):
        return None
    held = f"; {contacts} hold an email address or phone number (a `sql` rule can rewrite them)"
    return f"{found.path}: {len(sample)} sampled values are SQL queries{held if contacts else ''}"


def _labels(found: PathFinding, values: Sequence[str]) -> str | None:
    """A key naming a person whose values are a few labels repeated from document to
    document (Metabase's display_name 'Email'), none a known name."""
    sample = [v.strip() for v in values if v.strip()]
    distinct = set(sample)
    if (
        found.kind not in NAME_KINDS
        or len(sample) < max(MIN_LABELLED, 3 * len(distinct))
        or len(distinct) > MAX_LABELS
        or pii_values.count_kind(sample, found.kind) is not None
    ):
        return None
    shown = ", ".join(repr(v) for v in sorted(distinct)[:3])
    return f"{found.path}: its {len(sample)} sampled values are a few repeated labels ({shown})"


def _version(found: PathFinding) -> str | None:
    """'120.0.0.0' under a key naming a version is a version, no IP address."""
    if found.kind != "ip" or not _VERSION_KEY.search(pii.normalize(path_parts(found.path)[-1])):
        return None
    return f"{found.path}: its values look like IP addresses, but its key names a version"


def doubt(found: PathFinding, paths: dict[str, list[str]]) -> str | None:
    """Why a path found personal must not be masked, or None."""
    values = paths.get(found.path, [])
    return (
        _sql(found, values)
        or _mixed_position(found, values, _containers(found.path, paths), paths)
        or _labels(found, values)
        or _version(found)
    )


def trusted_paths(paths: dict[str, list[str]], table: str) -> list[PathFinding]:
    """json_paths.judge_paths without the paths a rule would break (doubt_notes() names them)."""
    return [f for f in json_paths.judge_paths(paths, table) if doubt(f, paths) is None]


def doubt_notes(paths: dict[str, list[str]], table: str) -> list[str]:
    """A REVIEW note naming each path kept for doubt()."""
    return [
        f"REVIEW: kept, masking would break it: {why}"
        for found in json_paths.judge_paths(paths, table)
        if (why := doubt(found, paths)) is not None
    ]


def json_warning(values: Sequence[str] | None) -> str | None:
    """A review note for JSON documents that mention emails or phone numbers."""
    sample = [v for v in values or () if v.strip()]
    hits = sum(1 for v in sample if pii_values.has_contact(v))
    if not hits:
        return None
    return (
        f"REVIEW: {hits} of {len(sample)} sampled documents contain an email address or "
        "phone number; consider the jsonb strategy"
    )
