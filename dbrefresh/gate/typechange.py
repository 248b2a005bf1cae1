"""Which ALTER COLUMN TYPE changes PostgreSQL makes without rewriting the table.

PostgreSQL 15 skips the rewrite when the conversion is binary-compatible and any length
coercion is a no-op by the type's support function (varchar_support, numeric_support,
varbit_support, TemporalSimplify in tablecmds.c's ATColumnChangeRequiresRewrite). Only
those are recognised here; anything else is assumed to rewrite (the trace, where it
runs, measures the truth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# format_type()'s names (the staging catalog) and the parser's (the migration) -> one name.
_ALIASES = {
    "character varying": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "bit varying": "varbit",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "decimal": "numeric",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "real": "float4",
    "double precision": "float8",
    "boolean": "bool",
}
# Casts PostgreSQL performs without a function (pg_cast.castmethod = 'b'), into a type
# whose unconstrained form needs no length check.
_BINARY = {
    ("varchar", "text"),
    ("text", "varchar"),
    ("cidr", "inet"),
    ("bit", "varbit"),
    ("xml", "text"),
    ("xml", "varchar"),
}
_TEMPORAL = {"timestamp", "timestamptz", "time", "timetz"}
_TYPE = re.compile(
    r"(?P<head>[a-z][a-z0-9_ ]*?)\s*(?:\((?P<mods>\d+(?:\s*,\s*-?\d+)?)\))?"
    r"(?P<zone>\s+with(?:out)? time zone)?"
)


@dataclass(frozen=True)
class SqlType:
    base: str
    mods: tuple[int, ...]  # () when unconstrained


def parse_type(label: str | None) -> SqlType | None:
    """'numeric(10,2)', 'timestamp(3) with time zone', 'varchar' -> SqlType; arrays and
    anything unrecognised -> None."""
    if not label:
        return None
    match = _TYPE.fullmatch(label.strip().lower())
    if match is None:
        return None
    head = " ".join(match["head"].split()) + (match["zone"] or "")
    mods = tuple(int(m) for m in match["mods"].split(",")) if match["mods"] else ()
    return SqlType(_ALIASES.get(head, head), mods)


def _length_no_op(base: str, old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """Whether the length coercion from typmod old to new changes no stored value."""
    if old == new:
        return True
    if base not in {"varchar", "numeric", "varbit", *_TEMPORAL}:
        return False  # no support function: the coercion runs on every value
    if not new:
        return True  # to the unconstrained type
    if not old:
        return False  # unconstrained -> constrained: every value must be checked
    if base == "numeric":  # same scale, no fewer digits
        old_scale = old[1] if len(old) > 1 else 0
        new_scale = new[1] if len(new) > 1 else 0
        return new_scale == old_scale and new[0] >= old[0]
    return new[0] >= old[0]


def rewrites(source: str | None, target: str) -> bool:
    """Whether changing a column of type `source` to `target` rewrites the table
    (True when either type is unknown: the cautious answer)."""
    old, new = parse_type(source), parse_type(target)
    if old is None or new is None:
        return True
    if old.base == new.base:
        return not _length_no_op(new.base, old.mods, new.mods)
    return (old.base, new.base) not in _BINARY or bool(new.mods)
