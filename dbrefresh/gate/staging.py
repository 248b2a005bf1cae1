"""Reading staging as the migration's session would see it: names resolved under the
migration's search_path, a table's size summed over its partition/inheritance tree, and
the planner's row estimates. Read-only; every query runs under a lock_timeout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.errors import first_line

# a name -> the table it means (an index means its table), under the session's search_path
_RESOLVE = """
SELECT coalesce(i.indrelid, c.oid)::int8
FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.oid = to_regclass(%s)
"""
# the relation and every partition or inheritance child below it, at any depth
_TREE = """
WITH RECURSIVE tree(oid) AS (
  SELECT %s::oid
  UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid
)
SELECT c.oid::regclass::text, c.relkind::text, c.reltuples::float8,
       pg_total_relation_size(c.oid)::int8
FROM tree JOIN pg_class c ON c.oid = tree.oid
"""


@dataclass(frozen=True)
class Unplanned:
    """Why EXPLAIN refused a statement: PostgreSQL's SQLSTATE and message."""

    sqlstate: str
    message: str


def quoted(name: str) -> str:
    """'schema.Table' as the migration spelled it -> '"schema"."Table"' for to_regclass."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def nameable(name: str) -> bool:
    """A name to_regclass can be asked about ('?' and empty parts are not names)."""
    return name != "?" and all(name.split("."))


def guard(conn: psycopg.Connection[Any]) -> None:
    """Session limits for everything run on staging (committed: they must survive the
    rollbacks of the EXPLAINs)."""
    conn.execute("SET lock_timeout = '2s'")
    conn.execute("SET statement_timeout = '60s'")
    conn.commit()


def set_search_path(conn: psycopg.Connection[Any], path: str | None, *, local: bool) -> None:
    """The migration's search_path (None: the role's default) for this session."""
    if path is None:
        if not local:
            conn.execute("RESET search_path")
        return
    conn.execute("SELECT set_config('search_path', %s, %s)", (path, local))


@contextmanager
def search_path(conn: psycopg.Connection[Any], path: str | None) -> Iterator[None]:
    """Resolve names under `path` inside the block; the default again afterwards."""
    set_search_path(conn, path, local=False)
    try:
        yield
    finally:
        conn.execute("RESET search_path")


def resolve(conn: psycopg.Connection[Any], name: str) -> int | None:
    """The OID of the table `name` means in this session (an index: its table)."""
    if not nameable(name):
        return None
    row = conn.execute(_RESOLVE, (quoted(name),)).fetchone()
    return None if row is None else int(row[0])


def tree_size(conn: psycopg.Connection[Any], oid: int) -> tuple[float, int]:
    """(rows, bytes) of a table with all its partitions or inheritance children.

    A partitioned parent has no storage, and an ANALYZE of it while it was empty leaves
    its reltuples at 0 (autovacuum analyzes only the leaves): rows come from the members
    that hold data, bytes are summed over all. A member never analyzed (reltuples = -1)
    is estimated by the planner from its pages.
    """
    rows, size = 0.0, 0
    for regclass, relkind, reltuples, total in conn.execute(_TREE, (oid,)).fetchall():
        size += int(total)
        if relkind == "p":
            continue
        if reltuples < 0:
            query = sql.SQL("SELECT 1 FROM ONLY {}").format(sql.SQL(regclass))
            reltuples = explain_rows(conn, query.as_string(conn)) or 0.0
        rows += float(reltuples)
    return rows, size


def has_rows(conn: psycopg.Connection[Any], oid: int) -> bool | None:
    """Whether the table (with its partitions) holds any row, read exactly (one row at
    most); None when it cannot be read (no SELECT privilege)."""
    try:
        with conn.transaction():
            row = conn.execute("SELECT %s::oid::regclass::text", (oid,)).fetchone()
            assert row is not None
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.SQL(row[0]))
            found = conn.execute(query).fetchone()
    except psycopg.errors.DatabaseError:
        return None
    return None if found is None else bool(found[0])


def explain_rows(conn: psycopg.Connection[Any], text: str, path: str | None = None) -> float | None:
    """Rows the planner expects the statement to touch (under the migration's
    search_path); None when it cannot be planned yet (it names a table or column an
    earlier statement of the migration creates)."""
    rows = plan_rows(conn, text, path)
    return rows if isinstance(rows, float) else None


def plan_rows(
    conn: psycopg.Connection[Any], text: str, path: str | None = None
) -> float | Unplanned:
    """explain_rows, or why the planner refused the statement (the report says it)."""
    try:
        with conn.transaction(force_rollback=True):
            set_search_path(conn, path, local=True)
            row = conn.execute(f"EXPLAIN (FORMAT JSON) {text}").fetchone()
    except psycopg.errors.DatabaseError as exc:
        return Unplanned(exc.sqlstate or "", first_line(exc))
    if row is None:
        return Unplanned("", "no plan")
    raw = row[0]
    plan: dict[str, Any] = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    if plan.get("Node Type") == "ModifyTable" and plan.get("Plans"):
        plan = plan["Plans"][0]
    return float(plan.get("Plan Rows", 0))
