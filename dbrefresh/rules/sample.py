"""Read a small sample of a table's text values, for value-based PII detection.

One query per table, under a statement timeout, so `rules
init` against a big production-sized database stays cheap: tables far larger than the
sample are read through TABLESAMPLE SYSTEM (a few pages) rather than scanned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Table
from dbrefresh.rules.json_paths import MAX_JSON_CHARS
from dbrefresh.rules.sampled import is_document
from dbrefresh.strategies.base import JSON_TYPES

MAX_CHARS = 500  # per array element: enough to recognise, bounded for wide text
# Per text value: its first and last TEXT_END_CHARS characters (a letter's greeting and
# its signature, where names and contacts sit; reading only the first 500 missed every
# email signature after a paragraph).
TEXT_END_CHARS = 2000
# How a JSON object or array kept in text starts and ends ('[quote]' or '[b]' opening
# a forum post does not: read as the long text it is)
JSON_STARTS = r'^\s*(\{\s*["}]|\[\s*[][{"0-9tfn-])'
JSON_ENDS = r"[]}]\s*$"
MAX_ELEMENTS = 20  # per array: its first elements stand for the rest
MAX_DOCUMENT_CHARS = 8000  # per XML, hstore or composite value, searched for contacts
STATEMENT_TIMEOUT_MS = 30_000
OVERSAMPLE = 5  # TABLESAMPLE returns roughly the asked share; ask for more
WHOLE_FACTOR = 20  # tables up to this many times the sample are read whole
# Settings of the sampling statement: bounded in time, and with row security off, so a
# policy showing this role some rows only makes PostgreSQL refuse rather than the
# sample look representative.
PINNED = {"statement_timeout": str(STATEMENT_TIMEOUT_MS), "row_security": "off"}
_SET_LOCAL = "SELECT set_config(n, v, true) FROM unnest(%s::text[], %s::text[]) AS s(n, v)"


def sample_clause(estimated_rows: int, rows: int) -> sql.Composable:
    """TABLESAMPLE for tables much larger than the sample, nothing otherwise; the same
    pages on every run of the same table (REPEATABLE), so a rules file is reproducible."""
    if rows <= 0 or estimated_rows <= rows * WHOLE_FACTOR:
        return sql.SQL("")
    percent = min(100.0, 100.0 * rows * OVERSAMPLE / estimated_rows)
    return sql.SQL(" TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(sql.Literal(round(percent, 4)))


def spread_sample(table: Table, rows: int) -> sql.Composable:
    """A subquery of up to `rows` of the table's own rows, spread over the whole table:
    the rows read (all of a table up to WHOLE_FACTOR times the sample, else sampled
    pages) are ordered by a hash of their place before the LIMIT. A bare LIMIT took the
    first rows in physical order, the oldest: an append-only event table's later kinds
    of rows (sign-ins carrying names and emails) were never seen, and kept. Deterministic
    for the same table; reads at most WHOLE_FACTOR times the sample when the row
    estimate is stale or unknown (never analyzed)."""
    # ONLY: a table inherited from (INHERITS) would show its children's rows too; a
    # partitioned table has none of its own, and its sample is its partitions'
    only = sql.SQL("" if table.partitioned else "ONLY ")
    return sql.SQL(
        "(SELECT * FROM (SELECT ctid AS _dbr_place, * FROM {only}{t}{sample} LIMIT {cap})"
        " AS _dbr_read ORDER BY hashtext(_dbr_place::text) LIMIT {rows})"
    ).format(
        only=only,
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows),
        cap=sql.Literal(rows * WHOLE_FACTOR),
        rows=sql.Literal(rows),
    )


def _sampled(table: Table, column: str) -> sql.Composable:
    """A column's value as text, or an array's first elements as text[] (their text
    form would hide them behind quotes and escapes)."""
    col_type = table.columns[column].type
    if col_type.sql == "date":  # ISO whatever the session's DateStyle
        return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(sql.Identifier(column))
    if col_type.is_array:
        return sql.SQL("{}[1:{}]::text[]").format(sql.Identifier(column), sql.Literal(MAX_ELEMENTS))
    if col_type.base == "bytea":
        return _sampled_bytes(column)
    if col_type.base in JSON_TYPES or is_document(col_type):
        limit = MAX_JSON_CHARS if col_type.base in JSON_TYPES else MAX_DOCUMENT_CHARS
        return sql.SQL("left({}::text, {})").format(sql.Identifier(column), sql.Literal(limit))
    # (a JSON document kept in text is read whole, as a json column's: its head and
    # tail would not parse, and it would be judged as free text)
    return sql.SQL(
        "CASE WHEN length({c}::text) <= {twice} THEN {c}::text"
        " WHEN left({c}::text, 100) ~ {starts} AND right({c}::text, 100) ~ {ends}"
        " THEN left({c}::text, {json})"
        " ELSE left({c}::text, {n}) || ' … ' || right({c}::text, {n}) END"
    ).format(
        c=sql.Identifier(column),
        twice=sql.Literal(2 * TEXT_END_CHARS),
        starts=sql.Literal(JSON_STARTS),
        ends=sql.Literal(JSON_ENDS),
        json=sql.Literal(MAX_JSON_CHARS),
        n=sql.Literal(TEXT_END_CHARS),
    )


def _sampled_bytes(column: str) -> sql.Composable:
    """A bytea value in hex ('\\x...'), as its text would be under any bytea_output: a
    long one by its head and tail, as text is, unless it starts as a JSON document does
    (read whole then, up to MAX_JSON_CHARS bytes: Kratos keeps JSON in bytea)."""
    half = TEXT_END_CHARS // 2
    return sql.SQL(
        "CASE WHEN length({c}) < {half} * 2 THEN '\\x' || encode({c}, 'hex')"
        " WHEN substr({c}, 1, 1) IN ('\\x7b'::bytea, '\\x5b'::bytea)"
        " THEN '\\x' || encode(substr({c}, 1, {json}), 'hex')"
        " ELSE '\\x' || encode(substr({c}, 1, {head}), 'hex') || ' … '"
        " || encode(substr({c}, length({c}) - {tail}), 'hex') END"
    ).format(
        c=sql.Identifier(column),
        half=sql.Literal(half),
        json=sql.Literal(MAX_JSON_CHARS),
        head=sql.Literal(half - 1),
        tail=sql.Literal(half - 1),
    )


def sample_values(
    conn: psycopg.Connection[Any], table: Table, columns: Sequence[str], rows: int
) -> dict[str, list[str]]:
    """Up to `rows` non-NULL values of each column, as text (the table's own rows only);
    for an array column, the elements of up to `rows` arrays."""
    if not columns or rows <= 0:
        return {c: [] for c in columns}
    query = sql.SQL("SELECT {} FROM {} AS _dbr_s").format(
        sampled_list(table, columns), spread_sample(table, rows)
    )
    found: dict[str, list[str]] = {c: [] for c in columns}
    for row in sampled_rows(conn, query):
        add_sampled(found, columns, row)
    return found


def sampled_list(table: Table, columns: Sequence[str]) -> sql.Composable:
    """The select list of a sample of the columns (each as text, an array as text[])."""
    return sql.SQL(", ").join(_sampled(table, c) for c in columns)


def add_sampled(found: dict[str, list[str]], columns: Sequence[str], row: Sequence[Any]) -> None:
    """Add one sampled row's values (sampled_list's, in its order) to `found`."""
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, list):
            found[column] += [str(e)[:MAX_CHARS] for e in _elements(value)]
        elif value is not None:
            found[column].append(str(value))


def is_empty(conn: psycopg.Connection[Any], table: Table) -> bool:
    """Whether the table has no row of its own (its partitions' for a partitioned one),
    under the sampler's settings."""
    only = sql.SQL("" if table.partitioned else "ONLY ")
    query = sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {}{})").format(
        only, sql.Identifier(table.schema, table.name)
    )
    return bool(sampled_rows(conn, query)[0][0])


def sampled_rows(
    conn: psycopg.Connection[Any], query: sql.Composed, timeout_ms: int = STATEMENT_TIMEOUT_MS
) -> list[tuple[Any, ...]]:
    """The rows of a sampling query, run under the PINNED settings (a timeout of its own)."""
    pinned = {**PINNED, "statement_timeout": str(timeout_ms)}
    names = list(pinned)
    previous = conn.execute(
        "SELECT array_agg(current_setting(n) ORDER BY i) FROM unnest(%s::text[])"
        " WITH ORDINALITY AS s(n, i)",
        (names,),
    ).fetchone()[0]  # type: ignore[index]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(_SET_LOCAL, (names, list(pinned.values())))
        cur.execute(query)
        rows = cur.fetchall()
        # (local settings outlive a savepoint: put back what an outer transaction had)
        cur.execute(_SET_LOCAL, (names, previous))
    return rows


def _elements(array: list[Any]) -> list[Any]:
    """The non-NULL elements of an array of any dimension."""
    out: list[Any] = []
    for item in array:
        if isinstance(item, list):
            out += _elements(item)
        elif item is not None:
            out.append(item)
    return out
