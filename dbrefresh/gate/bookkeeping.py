"""Constant work: statements whose cost does not grow with any table, so running them
while an earlier statement holds ACCESS EXCLUSIVE adds next to nothing to the wait.

Every migration tool records what it applied in the same transaction as the migration
(Alembic's `UPDATE alembic_version SET version_num = ...`, Rails' `INSERT INTO
schema_migrations (version) VALUES (...)`), right after the DDL: judged as data changes,
every Alembic offline script with DDL failed (`statement-while-locked`) without --dsn.
Constant: an INSERT of rows written out in VALUES (no subquery, no table read), and any
write to a migration tool's bookkeeping table (a handful of rows, whatever its WHERE).
"""

from __future__ import annotations

from typing import Any

from pglast import ast

from dbrefresh.gate.schema import relname, walk

# Alembic, Rails/ActiveRecord, Flyway, Django, Liquibase (its changelog and lock tables)
BOOKKEEPING = frozenset(
    {
        "alembic_version",
        "schema_migrations",
        "ar_internal_metadata",
        "flyway_schema_history",
        "django_migrations",
        "databasechangelog",
        "databasechangeloglock",
    }
)


def is_bookkeeping(table: str) -> bool:
    """A migration tool's own table ('alembic_version', 'flyway.flyway_schema_history')."""
    return table.rpartition(".")[2].lower() in BOOKKEEPING


def constant_rows(node: ast.InsertStmt) -> bool:
    """INSERT ... VALUES (...) of constants or DEFAULT VALUES: nothing read from a table."""
    select = node.selectStmt
    if select is None:
        return True
    if not isinstance(select, ast.SelectStmt) or not select.valuesLists:
        return False
    parts = (select, node.onConflictClause, node.withClause)
    return not any(isinstance(n, ast.RangeVar | ast.SubLink) for n in walk(parts))


def constant_work(node: Any) -> bool:
    """Whether the statement's work is constant (see the module's docstring)."""
    writes = ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt
    if isinstance(node, writes) and is_bookkeeping(relname(node.relation)):
        return True
    return isinstance(node, ast.InsertStmt) and constant_rows(node)
