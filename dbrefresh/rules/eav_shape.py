"""Key/value tables told by the shape of their key, not by the pair's names.

Firefly III's account_meta(account_id, name, data) keeps 'account_number', 'BIC' and
'account_role' of every account: (name, data) is in no list of key/value pairs (a
files table has both too), so `name` was judged a person's name (hashed: the
application found none of its settings) and `data` one column. A key is told by its
values: a few distinct identifier-like words ('account_number', 'BIC'), each repeated
across many rows but about once per entity (the table's first foreign key): an events
table's (user_id, name 'login', data) repeats its names per user, and is no key/value
table (a switch would keep the data of event names the sample did not meet).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Column, Table
from dbrefresh.rules.sample import sample_clause, sampled_rows

KEY_NAMES = ("name", "key", "field", "attribute", "setting", "property", "meta_key")
VALUE_NAMES = ("data", "value", "val", "content", "meta_value")
ROWS = 5_000  # sampled rows
MAX_KEYS = 100  # distinct keys in the sample
MIN_REPEATS = 3  # sampled rows per key, on average
ONCE_SHARE = 0.9  # of the sampled rows, distinct (entity, key) pairs: a key once per entity
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")


def shaped_key_value(
    conn: psycopg.Connection[Any], catalog: Catalog, table: Table
) -> tuple[Column, Column] | None:
    """(key, value) when a key-named text column holds few identifier-like values, each
    repeated across entities but about once per entity, beside a value-named text column."""
    text = {
        c.name.lower(): c
        for c in table.columns.values()
        if c.type.category == "S" and not c.type.is_array and not c.generated
    }
    key = next((text[k] for k in KEY_NAMES if k in text), None)
    value = next((text[v] for v in VALUE_NAMES if v in text), None)
    if key is None or value is None:
        return None
    entities = [
        fk.columns[0]
        for fk in catalog.keys_from(table.qualified)
        if len(fk.columns) == 1 and fk.columns[0] not in (key.name, value.name)
    ]
    if not entities:
        return None
    query = sql.SQL(
        "SELECT k, count(*), count(DISTINCT e) FROM (SELECT {k}::text AS k, {e} AS e"
        " FROM {only}{t}{sample} WHERE {k} IS NOT NULL LIMIT {rows}) s"
        " GROUP BY k ORDER BY 2 DESC LIMIT {keys}"
    ).format(
        k=sql.Identifier(key.name),
        e=sql.Identifier(entities[0]),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, ROWS),
        rows=sql.Literal(ROWS),
        keys=sql.Literal(MAX_KEYS + 1),
    )
    try:
        counts = sampled_rows(conn, query)
    except psycopg.Error:
        return None
    rows = sum(int(n) for _, n, _ in counts)
    once = sum(int(e) for _, _, e in counts)  # (entity, key) pairs met once
    if (
        once < ONCE_SHARE * rows  # an events table repeats (user_id, 'login')
        or len(counts) < 2
        or len(counts) > MAX_KEYS
        or rows < MIN_REPEATS * len(counts)
        or not all(_IDENTIFIER.match(str(k)) for k, _, _ in counts)
    ):
        return None
    return key, value
