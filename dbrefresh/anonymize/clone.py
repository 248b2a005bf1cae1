"""The clone marker and the SQL dbrefresh installs into a clone.

Anonymization rewrites tables in place; run against production by mistake it would
destroy data. So it refuses any database that does not carry the marker, which only
`mark-clone` (or the refresh workflow, on its own temporary copy) writes.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.errors import LockHeldError, NotACloneError, UsageError
from dbrefresh.resources import sql_file


def install_schema(conn: psycopg.Connection[Any]) -> None:
    """The dbrefresh schema: marker, leak hashes, progress records, refresh info."""
    conn.execute(sql_file("schema.sql"))


def install_support(conn: psycopg.Connection[Any]) -> None:
    """Everything masking SQL calls: schema, keyed hash and fake-value functions."""
    from dbrefresh.strategies.sqlsupport import install

    install_schema(conn)
    install(conn)


def write_marker(conn: psycopg.Connection[Any], *, run_id: str | None, source: str | None) -> None:
    install_schema(conn)
    conn.execute(
        "INSERT INTO dbrefresh.clone_marker (run_id, source) VALUES (%s, %s)", (run_id, source)
    )


def has_marker(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT to_regclass('dbrefresh.clone_marker') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return False
    found = conn.execute("SELECT EXISTS (SELECT 1 FROM dbrefresh.clone_marker)").fetchone()
    return bool(found and found[0])


def require_marker(conn: psycopg.Connection[Any], database: str) -> None:
    if not has_marker(conn):
        raise NotACloneError(
            f"database {database!r} has no dbrefresh clone marker: refusing to anonymize "
            "what may be production (run `dbrefresh mark-clone` on a copy first)"
        )


def require_superuser(conn: psycopg.Connection[Any], database: str) -> None:
    """Masking runs as a replica (session_replication_role), which only a superuser may
    set: production's triggers would copy originals into audit tables, and foreign
    keys would be checked row by row. Refused before anything is installed."""
    row = conn.execute("SELECT current_user, current_setting('is_superuser')").fetchone()
    if row and row[1] != "on":
        raise UsageError(
            f"anonymize needs a superuser on database {database!r}; {row[0]!r} is not one "
            "(masking runs with session_replication_role = replica, so that triggers stay "
            "quiet and foreign keys are not checked row by row); nothing was changed"
        )


# Advisory lock keys are per database: this one says "dbrefresh is masking here".
MASKING_LOCK = 0x6462726566726573


def lock_for_masking(conn: psycopg.Connection[Any], database: str) -> None:
    """One anonymize at a time per database: a second one would drop the first one's
    scratch tables and race its swaps. Held until `conn`'s session ends."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (MASKING_LOCK,)).fetchone()
    if not (row and row[0]):
        raise LockHeldError(
            f"another dbrefresh anonymize is running on database {database!r}; "
            "nothing was changed (run again when it has finished)"
        )
