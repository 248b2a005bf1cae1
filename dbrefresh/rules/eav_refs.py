"""Key/value tables whose key refers to a table of fields without a foreign key.

Moodle's mdl_user_info_data(userid, fieldid, data) keeps every custom profile field of
every user in `data`, and `fieldid` joins mdl_user_info_field(id, shortname, name,
datatype) by name only (Moodle declares no foreign keys). Judged as one column, `data`
got one strategy for all fields: a birth date stored as epoch seconds became words, a
checkbox's 0/1 a letter, a menu's 'Female' a word of lorem. eav.py reads such a key
through a foreign key; this finds the undeclared one: a numeric column named
`<x>id`/`<x>_id` beside a value column, and a table of the same schema named after x
as a table of fields (`*_field`, `*_fields`, `*_attribute`, `*_attributes`) whose ids
cover every key value of a sample. Among several, the table sharing the longest
prefix with the key/value table wins (mdl_user_info_field for mdl_user_info_data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Column, Table
from dbrefresh.rules import pii
from dbrefresh.rules.field_tables import defines_fields
from dbrefresh.rules.sample import sample_clause, sampled_rows

# Value columns of key/value tables keyed by a field id (eav.VALUE_NAMES, and Moodle's)
VALUE_NAMES = ("value", "meta_value", "option_value", "attribute_value", "field_value", "data")
KEY_ROWS = 20_000  # sampled rows whose keys must all be field ids

Found = tuple[Column, Column, tuple[Table, str, str]]  # key, value, (fields, label, id)


def undeclared_key_value(
    conn: psycopg.Connection[Any], catalog: Catalog, table: Table, labels: Sequence[str]
) -> Found | None:
    """The key, the value and the table of fields naming the keys, when the table is a
    key/value table keyed by field ids through no foreign key (None otherwise)."""
    if defines_fields(pii.normalize(table.name)):
        return None
    values = [table.columns[c] for c in table.columns if c.lower() in VALUE_NAMES]
    if not values or values[0].type.category != "S" or values[0].generated:
        return None
    declared = {c for fk in catalog.keys_from(table.qualified) for c in fk.columns}
    for key in table.columns.values():
        if key.name in declared or key.type.category != "N" or key.type.is_array:
            continue
        for fields in _field_tables(catalog, table, key.name):
            label = next((c for c in labels if c in fields.columns), None)
            ids = [k.columns[0] for k in fields.unique_keys if k.primary and len(k.columns) == 1]
            if label is None or fields.columns[label].type.category != "S" or not ids:
                continue
            try:
                covered = _covers(conn, table, key, fields, ids[0])
            except psycopg.Error:
                covered = False
            if covered:
                return key, values[0], (fields, label, ids[0])
    return None


def _field_tables(catalog: Catalog, table: Table, column: str) -> list[Table]:
    """Tables of fields a column named `<x>id`/`<x>_id` may refer to, best first."""
    norm = pii.normalize(column)
    base = norm[:-3] if norm.endswith("_id") else norm[:-2] if norm.endswith("id") else ""
    if not base or base.endswith("_"):
        return []
    found = [
        t
        for t in catalog.tables.values()
        if t.schema == table.schema
        and t.parent is None
        and t.qualified != table.qualified
        and defines_fields(name := pii.normalize(t.name))
        and (name.endswith(base) or name.endswith(f"{base}s"))
    ]
    return sorted(found, key=lambda t: (-_shared(t.name, table.name), t.name))


def _shared(one: str, other: str) -> int:
    """How many leading characters two names share."""
    shorter = min(len(one), len(other))
    return next((i for i in range(shorter) if one[i] != other[i]), shorter)


def _covers(
    conn: psycopg.Connection[Any], table: Table, key: Column, fields: Table, ident: str
) -> bool:
    """Whether every key value of a sample of the table is an id of the fields table."""
    query = sql.SQL(
        "SELECT count(*), count(_dbr_f.{i}) FROM (SELECT DISTINCT {k} AS k FROM"
        " (SELECT {k} FROM {only}{t}{sample} WHERE {k} IS NOT NULL LIMIT {rows}) AS _dbr_s)"
        " AS _dbr_k LEFT JOIN ONLY {f} AS _dbr_f ON _dbr_f.{i} = _dbr_k.k"
    ).format(
        i=sql.Identifier(ident),
        k=sql.Identifier(key.name),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, KEY_ROWS),
        rows=sql.Literal(KEY_ROWS),
        f=sql.Identifier(fields.schema, fields.name),
    )
    keys, covered = sampled_rows(conn, query)[0]
    return bool(keys) and keys == covered
