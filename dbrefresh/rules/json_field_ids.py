"""`rules init`: JSON keyed by the ids of field definitions, each value judged by its field.

DHIS2's event.eventdatavalues is {"<data element uid>": {"value": ..., "storedBy": ...}}:
a data element met in a few events ('Mother name', 3 of 3,000) showed one or two
values in the sample, too few for any detector, and its value was kept. Where every
key of a level of the column's documents (across the whole table: table_paths.py) is
an id-like code and the keys are, nearly all, the values of a unique code column of a
table of definitions (dataelement.uid beside its `name`), each key's value (the key
itself holding a scalar, or its `value` member) is judged by the field's names as a
key/value table's field is (eav_fields.judge_field: 'Mother name' is a full name), or
by its declared value type ('EMAIL', 'PHONE_NUMBER', 'USERNAME'); a numeric, boolean
or date type keeps it. Only paths the sample did not judge on evidence get such a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Column, Table
from dbrefresh.rules.eav_fields import judge_field
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.json_keys import FIELD_VALUE_KEY
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.base import ColumnType, Strategy
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD

Parts = tuple[str, ...]
TEXT = ColumnType("text", "text", "S")
# A field's id: a code (DHIS2's 11-character uids); levels() wants digits in half of them
_CODE = re.compile(r"[A-Za-z0-9_-]{6,64}")
IDENT_COLUMNS = ("uid", "code", "key")
LABEL_COLUMNS = ("name", "shortname", "formname", "label", "title")
TYPE_COLUMNS = ("valuetype", "value_type")
TYPE_KINDS = {"EMAIL": "email", "PHONE_NUMBER": "phone", "USERNAME": "username"}
# Declared types that cannot hold a person's name or contact: the value is kept
_NOT_TEXT = re.compile(r"BOOLEAN|TRUE_ONLY|NUMBER|INTEGER.*|PERCENTAGE|UNIT_INTERVAL|DATE.*|TIME")
_VALUE_TAILS = frozenset({(), (FIELD_VALUE_KEY,)})  # a key's scalar, or its `value`
NAMED_SHARE = 0.8  # of a level's keys, named by the table of definitions
MAX_KEYS = 1_000  # keys of a level looked up
MAX_TABLES = 300  # tables of definitions looked in (DHIS2 has hundreds with uid, name)


@dataclass(frozen=True)
class Field:
    names: tuple[str, ...]
    value_type: str | None
    defined_in: str


def levels(paths: Sequence[Parts]) -> dict[Parts, set[str]]:
    """Per level (its path), the keys met there, where they look like codes: two or
    more, each of id characters, half or more with a digit (a DHIS2 uid may have none:
    'sWoqcoByYmD' beside 'Jhg7K2pZ3qL')."""
    found: dict[Parts, set[str]] = {}
    for parts in paths:
        for at, key in enumerate(parts):
            if key != WILDCARD:
                found.setdefault(parts[:at], set()).add(key)
    return {
        level: keys
        for level, keys in found.items()
        if len(keys) >= 2
        and all(_CODE.fullmatch(k) for k in keys)
        and 2 * sum(any(c.isdigit() for c in k) for k in keys) >= len(keys)
    }


def _definitions(catalog: Catalog) -> list[tuple[Table, str, list[str], str | None]]:
    """Tables with a unique code column and a label: (table, code, labels, type column)."""
    out = []
    for table in catalog.tables.values():
        single = {k.columns[0] for k in table.unique_keys if len(k.columns) == 1}
        code = next((c for c in IDENT_COLUMNS if c in single), None)
        labels = [c for c in LABEL_COLUMNS if c in table.columns]
        if code is None or not labels or table.columns[code].type.category != "S":
            continue
        kind = next((c for c in TYPE_COLUMNS if c in table.columns), None)
        out.append((table, code, labels, kind))
    return out[:MAX_TABLES]


def fields_of(conn: psycopg.Connection[Any], catalog: Catalog, keys: set[str]) -> dict[str, Field]:
    """The definitions naming nearly all the keys, from the table naming the most (one
    statement, a lookup by its unique code in each table of definitions)."""
    tables = _definitions(catalog)
    if not tables:
        return {}
    wanted = sorted(keys)[:MAX_KEYS]
    branches = [
        sql.SQL(
            "SELECT {i}, {c}::text, ARRAY[{l}]::text[], {k} FROM ONLY {t}"
            " WHERE {c}::text = ANY (ARRAY(SELECT k FROM _dbr_k))"
        ).format(
            i=sql.Literal(i),
            c=sql.Identifier(code),
            l=sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(x)) for x in labels),
            k=sql.SQL("{}::text").format(sql.Identifier(kind)) if kind else sql.SQL("NULL"),
            t=sql.Identifier(table.schema, table.name),
        )
        for i, (table, code, labels, kind) in enumerate(tables)
    ]
    query = sql.SQL("WITH _dbr_k(k) AS (SELECT unnest({w}::text[])) {u}").format(
        w=sql.Literal(wanted), u=sql.SQL(" UNION ALL ").join(branches)
    )
    try:
        rows = sampled_rows(conn, query)
    except psycopg.Error:
        return {}
    by_table: dict[int, dict[str, Field]] = {}
    for i, key, names, value_type in rows:
        given = tuple(str(n) for n in names if n)
        by_table.setdefault(i, {})[str(key)] = Field(given, value_type, tables[i][0].qualified)
    best = max(by_table.values(), key=len, default={})
    return best if len(best) >= NAMED_SHARE * len(wanted) else {}


def _level_of(parts: Parts, fields: Mapping[Parts, Mapping[str, Field]]) -> Parts | None:
    """The level keyed by fields whose key's value a path is (the key itself, or its
    `value`), if any."""
    for level in fields:
        tail = parts[len(level) + 1 :]
        if parts[: len(level)] == level and len(parts) > len(level) and tail in _VALUE_TAILS:
            return level
    return None


def field_of(parts: Parts, fields: Mapping[Parts, Mapping[str, Field]]) -> Field | None:
    """The field whose value a path holds, if it is one (the key itself, or its `value`)."""
    level = _level_of(parts, fields)
    return None if level is None else fields[level].get(parts[len(level)])


def is_field_value(parts: Parts, fields: Mapping[Parts, Mapping[str, Field]]) -> bool:
    """Whether a path holds a field's value, named by the definitions or not."""
    return _level_of(parts, fields) is not None


def judge(
    table: Table, field: Field, strategies: Mapping[str, Strategy[Any]]
) -> tuple[Any, str] | None:
    """The rule for a field's values and why, by its declared type or its names."""
    name = field.names[0] if field.names else "value"
    as_column = Column(name, 0, TEXT, False, generated=False, identity="")
    if field.value_type and field.value_type.upper() in TYPE_KINDS:
        names: Sequence[str] = [TYPE_KINDS[field.value_type.upper()]]
    elif field.value_type and _NOT_TEXT.fullmatch(field.value_type.upper()):
        return None
    else:
        names = field.names
    if not names:
        return None
    proposal = judge_field(table, names, as_column, [], strategies)
    if not proposal.masked:
        return None
    said = f"field {field.names[0] if field.names else '?'!r} of {field.defined_in}"
    typed = f", type {field.value_type}" if field.value_type else ""
    return rule_value(proposal), f"{said}{typed}: {'; '.join(proposal.why)}"
