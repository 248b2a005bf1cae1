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

MAX_CHARS = 500  # per value: enough to recognise, bounded for wide text
STATEMENT_TIMEOUT_MS = 30_000
OVERSAMPLE = 5  # TABLESAMPLE returns roughly the asked share; ask for more


def sample_clause(estimated_rows: int, rows: int) -> sql.Composable:
    """TABLESAMPLE for tables much larger than the sample, nothing otherwise."""
    if rows <= 0 or estimated_rows <= rows * 20:
        return sql.SQL("")
    percent = min(100.0, 100.0 * rows * OVERSAMPLE / estimated_rows)
    return sql.SQL(" TABLESAMPLE SYSTEM ({})").format(sql.Literal(round(percent, 4)))


def sample_values(
    conn: psycopg.Connection[Any], table: Table, columns: Sequence[str], rows: int
) -> dict[str, list[str]]:
    """Up to `rows` non-NULL values of each column, as text (the table's own rows only)."""
    if not columns or rows <= 0:
        return {c: [] for c in columns}
    selects = sql.SQL(", ").join(
        sql.SQL("left({}::text, {})").format(sql.Identifier(c), sql.Literal(MAX_CHARS))
        for c in columns
    )
    query = sql.SQL("SELECT {} FROM {}.{}{} LIMIT {}").format(
        selects,
        sql.Identifier(table.schema),
        sql.Identifier(table.name),
        sample_clause(table.estimated_rows, rows),
        sql.Literal(rows),
    )
    previous = str(conn.execute("SHOW statement_timeout").fetchone()[0])  # type: ignore[index]
    found: dict[str, list[str]] = {c: [] for c in columns}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT set_config('statement_timeout', %s, true)", (str(STATEMENT_TIMEOUT_MS),)
        )
        cur.execute(query)
        for row in cur.fetchall():
            for column, value in zip(columns, row, strict=True):
                if value is not None:
                    found[column].append(str(value))
        cur.execute("SELECT set_config('statement_timeout', %s, true)", (previous,))
    return found
