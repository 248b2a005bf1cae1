"""The session settings the trace runs the migration with: staging's own.

The migration tool's session on staging gets the server's defaults, then the settings
stored for the staging database and its role (`ALTER DATABASE app SET search_path =
billing, public`, `ALTER ROLE migrator [IN DATABASE app] SET ...`, pg_db_role_setting).
The trace must run with the same, not with the gate machine's. Two things would
otherwise change them:

- libpq sends the gate machine's PGOPTIONS, PGTZ, PGDATESTYLE and PGGEQO environment
  variables as session settings (TZ itself is never sent);
- the trace runs on a `CREATE DATABASE ... TEMPLATE` copy, which carries none of the
  staging database's stored settings (nor the role's settings in that database).

Some settings change what a statement does: TimeZone decides whether `timestamp` ->
`timestamptz` rewrites the table (it skips the rewrite only in UTC, PostgreSQL 12+);
search_path decides which table `invoices` means and which function `now()` calls. So
staging's settings are read from a real session of the staging database, opened without
those variables, and given to the trace's session as startup options (a `RESET` in the
migration returns to them; a `SET` of the migration's own still wins, as it would). The
static analysis starts from the same search_path.

Not carried: the timeouts and read-only defaults (LIFTED_LIMITS, idle_session_timeout,
application_name): a trace measures how long the migration takes; a staging
statement_timeout would cut the measurement short, a read-only default refuse the run.
Settings the gate's role may not set at connection time (superuser-only ones, for a role
that is not one) are left to the server's default.

lock_timeout is not carried either, but it is read (with where it came from: pg_settings'
`source`): a timeout staging's session already has bounds the migration's lock waits, so
the static `missing-lock-timeout` rule starts from it (timeout_source.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from dbrefresh.db import LIFTED_LIMITS, connect, connection, with_session_settings
from dbrefresh.errors import InfraError
from dbrefresh.gate.timeout_source import LockTimeout, read_lock_timeout

_ENV = threading.Lock()
# libpq turns these into session settings of every connection it opens
_CLIENT_SETTINGS = ("PGOPTIONS", "PGTZ", "PGDATESTYLE", "PGGEQO")
NOT_CARRIED = frozenset(
    {*(n.lower() for n in LIFTED_LIMITS), "idle_session_timeout", "application_name"}
)

# names stored for this database, this role, this role in this database, or everyone
_STORED = """
SELECT DISTINCT split_part(cfg, '=', 1)
FROM pg_db_role_setting s CROSS JOIN unnest(s.setconfig) AS cfg
WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
"""
_CONTEXT = "SELECT context FROM pg_settings WHERE lower(name) = lower(%s)"
_SUPERUSER = "SELECT rolsuper FROM pg_roles WHERE rolname = session_user"


@dataclass(frozen=True)
class StagingSession:
    """What a new session of the staging database starts with."""

    time_zone: str = "UTC"
    search_path: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    """Every setting to give the trace's session (TimeZone and search_path included)."""
    lock_timeout: LockTimeout = field(default_factory=LockTimeout)
    """The lock_timeout a new session of the gate's role gets (not carried to the trace)."""

    def stored(self) -> dict[str, str]:
        """The settings beyond TimeZone: staging's database and role settings."""
        return {k: v for k, v in self.settings.items() if k.lower() != "timezone"}


@contextmanager
def without_client_settings() -> Iterator[None]:
    """Connections opened inside the block do not send the machine's PGOPTIONS, PGTZ,
    PGDATESTYLE or PGGEQO (libpq reads them at connect time; they are back afterwards)."""
    with _ENV:
        saved = {name: os.environ.pop(name) for name in _CLIENT_SETTINGS if name in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)


def _settable(conn: psycopg.Connection[Any], name: str, superuser: bool) -> bool:
    """Whether the gate's role may give `name` as a startup option: a user setting (or a
    custom one, unknown to pg_settings); a superuser-only one for a superuser, or a role
    granted SET on it (PostgreSQL 15+). A refused one would refuse the connection."""
    row = conn.execute(_CONTEXT, (name,)).fetchone()
    if row is None or str(row[0]) == "user":
        return True
    if str(row[0]) != "superuser":
        return False  # fixed at server start or at connection by the server itself
    if superuser:
        return True
    if conn.info.server_version < 150000:
        return False
    granted = conn.execute("SELECT has_parameter_privilege(%s, 'SET')", (name,)).fetchone()
    return bool(granted and granted[0])


def read_staging_session(dsn: str) -> StagingSession:
    """TimeZone, search_path and the database and role settings a new session of the
    staging database gets from staging's configuration (server, database, role, or the
    DSN's own `options`), not from the gate machine."""
    try:
        with without_client_settings(), connection(dsn) as conn:
            zone = conn.execute("SHOW TimeZone").fetchone()
            path = conn.execute("SHOW search_path").fetchone()
            superuser = bool((conn.execute(_SUPERUSER).fetchone() or (False,))[0])
            settings = {"TimeZone": str(zone[0]) if zone else "UTC"}
            if path is not None:
                settings["search_path"] = str(path[0])
            for (name,) in conn.execute(_STORED).fetchall():
                name = str(name)
                if name.lower() in NOT_CARRIED or name.lower() in ("timezone", "search_path"):
                    continue
                if not _settable(conn, name, superuser):
                    continue
                value = conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()
                if value is not None and value[0] is not None:
                    settings[name] = str(value[0])
            timeout = read_lock_timeout(conn)
    except psycopg.Error as exc:
        raise InfraError(f"reading staging's session settings failed: {exc}") from exc
    return StagingSession(settings["TimeZone"], settings.get("search_path"), settings, timeout)


def connect_as_staging(dsn: str, session: StagingSession, **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection whose session starts with staging's settings, whatever the gate
    machine's environment says."""
    with without_client_settings():
        return connect(with_session_settings(dsn, session.settings), **kwargs)
