"""Install the masking support (sql/functions.sql and the dictionaries) into a database.

Idempotent (every object is CREATE OR REPLACE) and quick, so it runs before every
anonymization instead of being tracked as a migration.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh import resources

FUNCTIONS = "functions.sql"
DICTIONARIES = "dictionaries"


def support_files() -> list[str]:
    """SQL files to run, in order: helpers first, then every dictionary."""
    directory = resources.sql_dir() / DICTIONARIES
    return [FUNCTIONS] + [f"{DICTIONARIES}/{p.name}" for p in sorted(directory.glob("*.sql"))]


def install(conn: psycopg.Connection[Any]) -> None:
    """Create or replace schema dbrefresh's masking functions and dictionaries."""
    with conn.transaction():
        # Concurrent CREATE OR REPLACE of one function fails ("tuple concurrently
        # updated"): installers queue on a transaction-scoped advisory lock instead.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('dbrefresh.sqlsupport'))")
        for name in support_files():
            conn.execute(resources.sql_file(name).encode("utf-8"))
