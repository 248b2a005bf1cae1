"""Sizes from staging: reltuples and relation sizes of every table a statement touches,
EXPLAIN row estimates for data changes, and catalog facts (NOT NULL, types, indexes)
that sharpen the static classification. Read-only; every query runs with a lock_timeout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from dbrefresh.db import connection
from dbrefresh.errors import InfraError
from dbrefresh.gate.model import Blocks, Classified, Hit, Work
from dbrefresh.gate.schema import Knowledge

Weight = Literal["heavy", "warn", "light", "unknown"]

_SIZES = """
SELECT t.name, c.oid IS NOT NULL, coalesce(c.reltuples, 0)::float8,
       coalesce(pg_total_relation_size(coalesce(i.indrelid, c.oid)), 0)::int8,
       coalesce(i.indrelid, c.oid)::regclass::text
FROM unnest(%s::text[]) WITH ORDINALITY AS t(name, ord)
LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
LEFT JOIN pg_index i ON i.indexrelid = c.oid
ORDER BY t.ord
"""
_COLUMNS = """
SELECT a.attname, a.attnotnull, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
"""
_INDEXES = """
SELECT ic.relname, array_agg(a.attname ORDER BY k.ord), i.indpred IS NOT NULL
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = to_regclass(%s) GROUP BY ic.relname, i.indpred IS NOT NULL
"""
_VOLATILITY = """
SELECT proname, max(provolatile::text) FROM pg_proc WHERE proname = ANY(%s) GROUP BY proname
"""
_NAME = re.compile(r"[\w$]+(\.[\w$]+)?")


@dataclass(frozen=True)
class Size:
    rows: float
    bytes: int
    exists: bool = True


@dataclass(frozen=True)
class Thresholds:
    """When size makes a statement heavy (a blocking, non-metadata statement)."""

    heavy_rows: int = 100_000
    heavy_bytes: int = 1 << 30
    warn_rows: int = 10_000


class Sizes:
    """Sizes read from staging, and the EXPLAIN estimates of data-changing statements."""

    def __init__(self, tables: dict[str, Size], explained: dict[int, float]) -> None:
        self.tables = tables
        self.explained = explained

    def of(self, tables: Iterable[str]) -> Size:
        found = [self.tables.get(t, Size(0, 0, exists=False)) for t in tables]
        return Size(
            max((s.rows for s in found), default=0), max((s.bytes for s in found), default=0)
        )

    def weigh(self, c: Classified, hit: Hit | None, thresholds: Thresholds) -> Weight:
        if hit is not None and hit.rule == "fk-without-index":
            size = self.of(hit.tables)  # what matters is the table each parent DELETE scans
        else:
            if c.effective_blocks is Blocks.NOTHING or c.work is Work.METADATA:
                return "light"
            size = self.of(c.tables)
            # rows changed matter for a data change; for work done under a held lock, the
            # time it takes does, and that follows the table's size (it may scan it all)
            if c.statement.index in self.explained and (
                hit is None or hit.rule != "statement-while-locked"
            ):
                size = Size(self.explained[c.statement.index], size.bytes)
        if size.rows >= thresholds.heavy_rows or size.bytes >= thresholds.heavy_bytes:
            return "heavy"
        return "warn" if size.rows >= thresholds.warn_rows else "light"


def quoted(name: str) -> str:
    """'schema.Table' as the migration spelled it -> '"schema"."Table"' for to_regclass."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _guard(conn: psycopg.Connection[Any]) -> None:
    """Session limits for everything weigh runs on staging (committed: they must survive
    the rollbacks of the EXPLAINs)."""
    conn.execute("SET lock_timeout = '2s'")
    conn.execute("SET statement_timeout = '60s'")
    conn.commit()


def read_sizes(dsn: str, statements: list[Classified]) -> Sizes:
    """Sizes of every table touched, and EXPLAIN rows for UPDATE/DELETE (rolled back)."""
    tables = sorted(
        t
        for t in {t for c in statements for t in c.tables}
        | {t for c in statements for h in c.hits for t in h.tables}
        if _NAME.fullmatch(t)
    )
    sizes: dict[str, Size] = {}
    explained: dict[int, float] = {}
    try:
        with connection(dsn) as conn:
            _guard(conn)
            rows_of = conn.execute(_SIZES, ([quoted(t) for t in tables],)).fetchall()
            for (_, exists, rows, size, regclass), name in zip(rows_of, tables, strict=True):
                if exists and rows < 0:  # never analyzed: ask the planner (relpages-based)
                    rows = _explain_rows(conn, f"SELECT 1 FROM {regclass}") or 0.0
                sizes[name] = Size(float(rows), int(size), bool(exists))
            conn.rollback()
            for c in statements:
                if c.kind in ("UPDATE", "DELETE"):
                    rows = _explain_rows(conn, c.statement.text)
                    if rows is not None:
                        explained[c.statement.index] = rows
    except psycopg.Error as exc:
        raise InfraError(f"reading sizes from staging failed: {exc}") from exc
    return Sizes(sizes, explained)


def _explain_rows(conn: psycopg.Connection[Any], text: str) -> float | None:
    """Rows the planner expects the statement to touch; None when it cannot be planned
    yet (it names a table or column an earlier statement of the migration creates)."""
    try:
        with conn.transaction(force_rollback=True):
            row = conn.execute(f"EXPLAIN (FORMAT JSON) {text}").fetchone()
    except psycopg.errors.DatabaseError:
        return None
    if row is None:
        return None
    raw = row[0]
    plan: dict[str, Any] = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    if plan.get("Node Type") == "ModifyTable" and plan.get("Plans"):
        plan = plan["Plans"][0]
    return float(plan.get("Plan Rows", 0))


def seed_knowledge(dsn: str, tables: Iterable[str], functions: Iterable[str] = ()) -> Knowledge:
    """Catalog facts for tables that exist on staging (NOT NULL, types, indexes) and the
    volatility of functions (the most volatile overload: 'v' > 's' > 'i')."""
    known = Knowledge()
    try:
        with connection(dsn) as conn:
            _guard(conn)
            for table in sorted(set(tables)):
                name = quoted(table)
                exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
                if not exists or not exists[0]:
                    continue
                known.catalog_tables.add(table)
                for col, notnull, typ in conn.execute(_COLUMNS, (name,)).fetchall():
                    (known.not_null if notnull else known.nullable).add((table, col))
                    known.column_types[(table, col)] = typ.replace("character varying", "varchar")
                for index, cols, partial in conn.execute(_INDEXES, (name,)).fetchall():
                    known.indexes[index] = (table, tuple(cols), bool(partial))
            rows = conn.execute(_VOLATILITY, (sorted(set(functions)),)).fetchall()
            known.volatility = {str(name): str(volatile) for name, volatile in rows}
    except psycopg.Error as exc:
        raise InfraError(f"reading the staging catalog failed: {exc}") from exc
    return known
