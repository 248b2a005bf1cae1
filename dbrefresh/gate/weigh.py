"""Sizes from staging: rows and bytes of every table a statement touches (resolved under
the search_path the statement runs with, staging.py), EXPLAIN row estimates for data
changes, and how size makes a statement heavy. Read-only, under a lock_timeout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import psycopg

from dbrefresh.db import connection
from dbrefresh.errors import InfraError
from dbrefresh.gate.alter import NOT_NULL_NO_DEFAULT
from dbrefresh.gate.model import ROW_CHANGES, Blocks, Classified, Hit, Work
from dbrefresh.gate.staging import (
    Unplanned,
    guard,
    has_rows,
    nameable,
    plan_rows,
    resolve,
    search_path,
    tree_size,
)

Weight = Literal["heavy", "warn", "light", "unknown"]
Key = tuple[str, str | None]


@dataclass(frozen=True)
class Size:
    rows: float
    bytes: int
    exists: bool = True
    has_rows: bool | None = None  # read exactly, for rules that fail on any row


@dataclass(frozen=True)
class Thresholds:
    """When size makes a statement heavy (a blocking, non-metadata statement)."""

    heavy_rows: int = 100_000
    heavy_bytes: int = 1 << 30
    warn_rows: int = 10_000


class Sizes:
    """Sizes read from staging, and the EXPLAIN estimates of data-changing statements."""

    def __init__(
        self,
        tables: dict[Key, Size],
        explained: dict[int, float],
        unplanned: dict[int, Unplanned] | None = None,
    ) -> None:
        self.tables = tables  # (name as written, search_path it was resolved under)
        self.explained = explained
        self.unplanned = unplanned or {}  # statements EXPLAIN refused, and why

    def of(self, c: Classified, tables: Iterable[str] | None = None) -> Size:
        """The biggest of the tables (default: all the statement touches)."""
        keys = [c.staging_key(t) for t in (c.tables if tables is None else tables)]
        found = [self.tables.get(key, Size(0, 0, exists=False)) for key in keys]
        return Size(
            max((s.rows for s in found), default=0), max((s.bytes for s in found), default=0)
        )

    def missing(self, c: Classified, tables: Iterable[str] | None = None) -> list[str]:
        """Tables the statement names that staging lacks and the migration did not
        create before it: nothing is known about them (IF EXISTS forgives)."""
        node = c.statement.node
        if getattr(node, "missing_ok", False) or not _names_tables(c):
            return []
        out: list[str] = []
        for t in c.tables if tables is None else tables:
            size = self.tables.get(c.staging_key(t))
            if size is not None and not size.exists and t not in c.introduced and t not in out:
                out.append(t)
        return out

    def weigh(self, c: Classified, hit: Hit | None, thresholds: Thresholds) -> Weight:
        if self.missing(c, None if hit is None else (*c.tables, *hit.tables)):
            return "unknown"
        if hit is not None and hit.rule == NOT_NULL_NO_DEFAULT:
            # not a matter of degree: it fails on a table with any row, works on an empty one
            found = [self.tables.get(c.staging_key(t)) for t in hit.tables]
            rows = [s.has_rows if s.has_rows is not None else s.rows > 0 for s in found if s]
            return "heavy" if any(rows) else "light"
        if hit is not None and hit.rule == "fk-without-index":
            # what matters is the table each parent DELETE scans
            size = self.of(c, hit.tables)
        else:
            if c.effective_blocks is Blocks.NOTHING or c.work is Work.METADATA:
                return "light"
            size = self.of(c)
            # rows changed matter for a data change; for work done under a held lock, the
            # time it takes does, and that follows the table's size (it may scan it all)
            if c.statement.index in self.explained and (
                hit is None or hit.rule != "statement-while-locked"
            ):
                size = Size(self.explained[c.statement.index], size.bytes)
        if size.rows >= thresholds.heavy_rows or size.bytes >= thresholds.heavy_bytes:
            return "heavy"
        return "warn" if size.rows >= thresholds.warn_rows else "light"


def _names_tables(c: Classified) -> bool:
    """Whether c.tables are relation names (DROP SCHEMA, REINDEX SCHEMA name others)."""
    node = c.statement.node
    if c.kind == "DROP SCHEMA":
        return False
    return not (c.kind.startswith("REINDEX") and getattr(node, "relation", None) is None)


def read_sizes(dsn: str, statements: list[Classified]) -> Sizes:
    """Sizes of every table touched (resolved under the search_path each statement runs
    with), and EXPLAIN rows for UPDATE/DELETE (rolled back)."""
    wanted: dict[str | None, set[str]] = {}
    exact = {
        c.staging_key(t)
        for c in statements
        for h in c.hits
        if h.rule == NOT_NULL_NO_DEFAULT
        for t in h.tables
    }
    for c in statements:
        names = {t for t in c.tables} | {t for h in c.hits for t in h.tables}
        # every name, however it needs quoting ("order-items"); "?" is no name
        for name, path in (c.staging_key(t) for t in names if nameable(t)):
            wanted.setdefault(path, set()).add(name)
    sizes: dict[Key, Size] = {}
    explained: dict[int, float] = {}
    unplanned: dict[int, Unplanned] = {}
    try:
        with connection(dsn) as conn:
            guard(conn)
            for path, tables in wanted.items():
                with search_path(conn, path):
                    for name in sorted(tables):
                        oid = resolve(conn, name)
                        if oid is None:
                            sizes[(name, path)] = Size(0, 0, exists=False)
                        else:
                            some = has_rows(conn, oid) if (name, path) in exact else None
                            sizes[(name, path)] = Size(*tree_size(conn, oid), has_rows=some)
            conn.rollback()
            for c in statements:
                if c.kind in ROW_CHANGES:
                    rows = plan_rows(conn, c.statement.text, c.search_path)
                    if isinstance(rows, Unplanned):
                        unplanned[c.statement.index] = rows
                    else:
                        explained[c.statement.index] = rows
    except psycopg.Error as exc:
        raise InfraError(f"reading sizes from staging failed: {exc}") from exc
    return Sizes(sizes, explained, unplanned)
