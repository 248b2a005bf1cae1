"""Whether a statement that failed on staging met data dbrefresh masked.

A refreshed staging is production's data with some columns masked: a many-to-one
strategy (`street`, `city`) makes duplicates production does not have, a subset deletes
rows a foreign key needs. So "it fails on staging" proves nothing about production for
a statement involving such columns. Masking records what it changed in the clone, which
becomes staging: `dbrefresh.masked_relations` (sql/schema.sql), one row per relation
rewritten, with the columns changed (`masked_columns`, NULL when masked by an older
dbrefresh: then the whole relation counts) and whether rows were deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from dbrefresh.db import connection
from dbrefresh.gate.model import Classified
from dbrefresh.gate.schema import walk
from dbrefresh.gate.staging import guard, resolve, search_path

_HAS_TABLE = """
SELECT to_regclass('dbrefresh.masked_relations') IS NOT NULL,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('dbrefresh.masked_relations')
               AND attname = 'masked_columns' AND NOT attisdropped)
"""
# a table and, when partitioned or inherited, its members (masking rewrites the leaves)
_TREE = """
WITH RECURSIVE tree(oid) AS (
  SELECT %s::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid
)
SELECT n.nspname || '.' || c.relname FROM tree
JOIN pg_class c ON c.oid = tree.oid JOIN pg_namespace n ON n.oid = c.relnamespace
"""


@dataclass(frozen=True)
class Masked:
    """What masking changed in one of the statement's tables."""

    table: str  # as the statement names it
    columns: frozenset[str] | None  # None: not recorded, any column may be masked
    deletes_rows: bool


@dataclass
class Masking:
    """What staging's masking changed, for the tables of the statements asked about."""

    copy: bool = False  # staging holds masked data (masked_relations has rows)
    tables: dict[tuple[str, str | None], Masked] = field(default_factory=dict)

    def involved(self, c: Classified) -> list[str]:
        """What of the statement's data masking changed: 'table.column' for each masked
        column it names, 'table (rows deleted)', 'table (masked columns not recorded)';
        for an opaque statement on a masked copy, everything may be."""
        if not self.copy:
            return []
        names = _identifiers(c.statement.node)
        out: list[str] = []
        for table in c.tables:
            masked = self.tables.get(c.staging_key(table))
            if masked is None:
                continue
            if masked.columns is None:
                out.append(f"{table} (masked columns not recorded)")
            else:
                out += [f"{table}.{col}" for col in sorted(masked.columns & names)]
            if masked.deletes_rows:
                out.append(f"{table} (rows deleted by the rules)")
        if not out and any(h.rule == "opaque-statement" for h in c.hits):
            out.append("staging's masked data (what the statement reads is not known)")
        return out


def _identifiers(node: Any) -> set[str]:
    """Every name the statement writes (columns among them), for matching masked columns."""
    found: set[str] = set()
    for part in walk(node):
        for attr in ("sval", "name", "colname"):
            value = getattr(part, attr, None)
            if isinstance(value, str):
                found.add(value)
    return found


def read_masking(dsn: str, statements: list[Classified]) -> Masking:
    """What masking changed in the statements' tables (resolved as each statement names
    them). Staging that dbrefresh did not mask, or that cannot be read, is no masked copy."""
    try:
        with connection(dsn) as conn:
            guard(conn)
            return _read(conn, statements)
    except psycopg.Error:
        return Masking()  # the report then says what it always said


def _read(conn: psycopg.Connection[Any], statements: list[Classified]) -> Masking:
    exists, has_columns = conn.execute(_HAS_TABLE).fetchone() or (False, False)
    if not exists:
        return Masking()
    columns = "masked_columns" if has_columns else "NULL::text[]"
    rows = conn.execute(
        f"SELECT relation, {columns}, deletes_rows FROM dbrefresh.masked_relations"
    ).fetchall()
    if not rows:
        return Masking()
    recorded = {str(r[0]): (None if r[1] is None else frozenset(r[1]), bool(r[2])) for r in rows}
    masking = Masking(copy=True)
    for c in statements:
        for table in c.tables:
            key = c.staging_key(table)
            if key in masking.tables:
                continue
            with search_path(conn, key[1]):
                oid = resolve(conn, key[0])
            if oid is None:
                continue
            members = [str(r[0]) for r in conn.execute(_TREE, (oid,)).fetchall()]
            found = [recorded[m] for m in members if m in recorded]
            if not found:
                continue
            cols: frozenset[str] | None = frozenset()
            for masked_cols, _ in found:
                cols = None if cols is None or masked_cols is None else cols | masked_cols
            masking.tables[key] = Masked(table, cols, any(d for _, d in found))
    return masking
