"""Verify a table the rules truncate: no rows left, no statistics describing the old ones.

A truncated table has no values of its own to describe, so any statistics of its own
(pg_stats with inherited = false) are production's. A legacy inheritance parent
(INHERITS) also has statistics of its whole tree (inherited = true): after the truncate
they describe its children's rows, which the rules keep or mask, and are fresh when every
value they list is still in the tree; a value no row of the tree holds any more is one
of the parent's own rows from before it was emptied.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.findings import Finding, Location
from dbrefresh.rules.relsteps import quote_ident, quote_table

HINT = "run `dbrefresh anonymize` again (it renews the statistics)"


def _scalar(conn: psycopg.Connection[Any], query: str, params: Any = None) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def check_truncated(conn: psycopg.Connection[Any], table: str) -> list[Finding]:
    """Findings for a table the rules truncate (`table`: 'schema.name')."""
    findings: list[Finding] = []
    left = _scalar(conn, f"SELECT count(*) FROM ONLY {quote_table(table)}")
    if left:
        findings.append(
            Finding(
                "not-truncated",
                f"{table}: {left} rows remain but the rules truncate it",
                location=Location(key=table),
            )
        )
    schema, _, name = table.partition(".")
    described = _scalar(
        conn,
        "SELECT count(*) FROM pg_stats s WHERE s.schemaname = %s AND s.tablename = %s AND "
        "NOT s.inherited AND (s.most_common_vals IS NOT NULL OR s.histogram_bounds IS NOT NULL)",
        (schema, name),
    )
    if described:
        findings.append(
            Finding(
                "statistics-leak",
                f"{table}: {described} column(s) of planner statistics (pg_stats) from "
                "before it was emptied",
                location=Location(key=table),
                hint=HINT,
            )
        )
    stale = _stale_inherited(conn, table)
    if stale:
        findings.append(
            Finding(
                "statistics-leak",
                f"{table}: {len(stale)} column(s) of inherited planner statistics (pg_stats) "
                f"list values no row holds any more, from before it was emptied: "
                f"{', '.join(stale)}",
                location=Location(key=table),
                hint=HINT,
            )
        )
    return findings


def _stale_inherited(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """Columns whose statistics of the whole inheritance tree list a value no row of
    the tree (the parent, now empty, and its children) holds."""
    schema, _, name = table.partition(".")
    described = conn.execute(
        "SELECT s.attname, coalesce(s.most_common_vals::text::text[], '{}') || "
        "coalesce(s.histogram_bounds::text::text[], '{}') FROM pg_stats s "
        "WHERE s.schemaname = %s AND s.tablename = %s AND s.inherited AND "
        "(s.most_common_vals IS NOT NULL OR s.histogram_bounds IS NOT NULL) ORDER BY 1",
        (schema, name),
    ).fetchall()
    stale = []
    for column, values in described:
        col = quote_ident(str(column))
        absent = _scalar(
            conn,
            "SELECT count(*) FROM unnest(%(values)s::text[]) AS x(value) WHERE x.value NOT IN "
            f"(SELECT t.{col}::text FROM {quote_table(table)} t "
            f"WHERE t.{col}::text = ANY(%(values)s))",
            {"values": values},
        )
        if absent:
            stale.append(str(column))
    return stale
