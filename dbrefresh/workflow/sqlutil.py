"""Small SQL helpers shared by the steps that talk to the temporary server."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.db import connection


def databases(admin_dsn: str) -> list[str]:
    """Every database but template0, by name: templates and databases production keeps
    closed hold data too (isolate opened them on the clone, workflow/clusterdbs.py)."""
    with connection(admin_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname <> 'template0' ORDER BY datname"
        ).fetchall()
    return [str(r[0]) for r in rows]


def templates(admin_dsn: str) -> set[str]:
    """Template databases (template0 excluded)."""
    with connection(admin_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datistemplate AND datname <> 'template0'"
        ).fetchall()
    return {str(r[0]) for r in rows}


def user_data_count(dsn: str) -> int:
    """User tables (and materialized views) plus large objects of one database: either
    holds data a copy brings along. Large objects live in pg_largeobject, a catalog, so
    counting tables alone let one in `postgres` or an uncovered database reach staging
    unmasked."""
    with connection(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN "
            "('pg_catalog','information_schema','dbrefresh') AND n.nspname NOT LIKE 'pg_toast%') "
            "+ (SELECT count(*) FROM pg_largeobject_metadata)"
        ).fetchone()
    return int(row[0]) if row else 0


def create_database(admin_dsn: str, name: str, template: str | None = None) -> None:
    """CREATE DATABASE name, as a copy of `template` when one is named."""
    stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    with connection(admin_dsn, autocommit=True) as conn:
        conn.execute(stmt)


def drop_database(admin_dsn: str, name: str) -> None:
    with connection(admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def scalar(conn: psycopg.Connection[Any], query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None
