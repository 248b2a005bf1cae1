"""The time zone the trace runs the migration in: staging's own.

Some changes depend on the session's TimeZone: `timestamp` -> `timestamptz` (and back)
skips the table rewrite only in a UTC session (PostgreSQL 12+). The migration tool's
session gets staging's configured zone (the server's default, or an `ALTER DATABASE` /
`ALTER ROLE ... SET TimeZone`), so that is the zone the trace must use, not the gate
machine's. Two things would otherwise change it:

- libpq sends the PGTZ environment variable as the session's TimeZone: the gate
  machine's zone, not staging's (TZ itself is never sent);
- the trace runs on a `CREATE DATABASE ... TEMPLATE` copy, which does not carry the
  staging database's own `ALTER DATABASE ... SET` settings.

So the zone is read from a session of the staging database itself, opened without PGTZ,
and given to the trace's session as a startup option (a `RESET` in the migration
returns to it; a `SET TimeZone` of the migration's own still wins, as it would).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from dbrefresh.db import connect, connection, with_session_settings
from dbrefresh.errors import InfraError

_ENV = threading.Lock()


@contextmanager
def without_client_zone() -> Iterator[None]:
    """Connections opened inside the block do not send the machine's PGTZ (libpq reads
    it at connect time; the variable is back afterwards)."""
    with _ENV:
        saved = os.environ.pop("PGTZ", None)
        try:
            yield
        finally:
            if saved is not None:
                os.environ["PGTZ"] = saved


def staging_time_zone(dsn: str) -> str:
    """TimeZone a new session of the staging database gets from staging's configuration
    (server, database, role, or the DSN's own `options`), not from the gate machine."""
    try:
        with without_client_zone(), connection(dsn) as conn:
            row = conn.execute("SHOW TimeZone").fetchone()
    except psycopg.Error as exc:
        raise InfraError(f"reading staging's TimeZone failed: {exc}") from exc
    return str(row[0]) if row else "UTC"


def connect_in_zone(dsn: str, zone: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection whose session TimeZone defaults to `zone`, whatever PGTZ says."""
    with without_client_zone():
        return connect(with_session_settings(dsn, {"TimeZone": zone}), **kwargs)
