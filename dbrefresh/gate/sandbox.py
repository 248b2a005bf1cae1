"""The throw-away copy of the staging database a trace runs on (or staging itself).

`CREATE DATABASE ... TEMPLATE staging`, dropped afterwards, so staging is unchanged
whatever the migration does; a refused copy says how to free the database or skip it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from dbrefresh.db import connect, dsn_database, redact_text, with_database
from dbrefresh.errors import InfraError

Clock = Callable[[], float]


@contextmanager
def sandbox(
    dsn: str, *, in_place: bool, clock: Clock = time.monotonic
) -> Iterator[tuple[str, float]]:
    """(dsn to run on, seconds the copy took). The copy is dropped on the way out."""
    if in_place:
        yield dsn, 0.0
        return
    source = dsn_database(dsn)
    copy = f"dbrefresh_gate_{uuid.uuid4().hex[:12]}"
    admin_dsn = with_database(dsn, "postgres" if source != "postgres" else "template1")
    started = clock()
    with connect(admin_dsn, autocommit=True) as admin:
        try:
            # FILE_COPY (PostgreSQL 15+) copies files instead of WAL-logging every block:
            # faster for a one-off copy (docs/gate.md); older servers only copy files
            modern = admin.info.server_version >= 150000
            strategy = sql.SQL(" STRATEGY FILE_COPY" if modern else "")
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                    sql.Identifier(copy), sql.Identifier(source), strategy
                )
            )
        except psycopg.Error as exc:
            raise InfraError(
                f"cannot copy staging database {source!r} for the trace "
                f"(it must have no other sessions, and the role needs CREATEDB): "
                f"{redact_text(str(exc).strip(), dsn)}. {_copy_advice(exc, source)}"
            ) from None
    elapsed = clock() - started
    try:
        yield with_database(dsn, copy), elapsed
    finally:
        with connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
            )


def _copy_advice(exc: psycopg.Error, source: str) -> str:
    """The next step after a refused copy: free the database or grant CREATEDB, or skip
    the copy with --keep (the trace then runs on staging itself and keeps the changes)."""
    keep = (
        "or pass --keep: the trace then runs on staging itself without a copy, and the "
        "migration's changes stay there (until the next refresh)"
    )
    if exc.sqlstate == "55006":  # object_in_use: other sessions on the template
        return (
            f"Close the other sessions (SELECT pid, usename, application_name FROM "
            f"pg_stat_activity WHERE datname = '{source}'), {keep}"
        )
    if exc.sqlstate == "42501":  # insufficient_privilege
        return f"Grant the role CREATEDB (ALTER ROLE ... CREATEDB), {keep}"
    return f"Fix the cause above, {keep}"
