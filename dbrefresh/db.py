"""The one place that opens PostgreSQL connections, and redacts DSNs for display.

Keeping connection opening here means every caller gets the same error mapping
(an unreachable server is an InfraError, exit 3) and no caller can print a password.
"""

from __future__ import annotations

import getpass
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import conninfo

from dbrefresh.errors import InfraError

APPLICATION_NAME = "dbrefresh"
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*:)(?P<pw>[^@]*)(?P<tail>@)", re.I)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)


def redact_dsn(dsn: str) -> str:
    """Return the DSN with any password replaced by '***' (URL or key=value form)."""
    redacted = _URL_PASSWORD.sub(r"\g<head>***\g<tail>", dsn)
    return _KV_PASSWORD.sub(r"\g<head>***", redacted)


def without_password(dsn: str) -> str | None:
    """The connection string without its password (None: it has none, or it does not
    parse: then it holds nothing libpq would read as a password)."""
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return None
    if "password" not in params:
        return None
    return conninfo.make_conninfo("", **{k: v for k, v in params.items() if k != "password"})


def redact_text(text: str, dsn: str) -> str:
    """Remove the DSN's password from an arbitrary message (psycopg errors may echo it)."""
    try:
        password = conninfo.conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        password = None
    text = text.replace(dsn, redact_dsn(dsn))
    if password:
        text = text.replace(str(password), "***")
    return text


def with_database(dsn: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return conninfo.make_conninfo(dsn, dbname=dbname)


# Limits production sets for its applications travel with the clone (ALTER DATABASE
# ... SET statement_timeout = '30s' is common; a reporting database may default to
# read-only) and would cancel or refuse dbrefresh's own work on it: a masking chunk, an
# index build, a VACUUM, the clone marker. Each exists on every supported server and
# any role may set it.
LIFTED_LIMITS = {
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "default_transaction_read_only": "off",
}


def _with_settings(dsn: str, settings: dict[str, str]) -> str:
    params = conninfo.conninfo_to_dict(dsn)
    options = " ".join(f"-c {name}={value}" for name, value in settings.items())
    params["options"] = f"{params.get('options') or ''} {options}".strip()
    return conninfo.make_conninfo("", **params)


def with_session_settings(dsn: str, settings: dict[str, str]) -> str:
    """The DSN with these settings as startup options (`-c name=value`): the session's
    own defaults, which RESET returns to."""
    escaped = {k: v.replace("\\", "\\\\").replace(" ", "\\ ") for k, v in settings.items()}
    return _with_settings(dsn, escaped)


def without_limits(dsn: str) -> str:
    """The DSN with LIFTED_LIMITS for this client. Startup options outrank database and
    role settings, and nothing in the database is changed (staging keeps its limits)."""
    return _with_settings(dsn, LIFTED_LIMITS)


def as_replica(dsn: str) -> str:
    """The DSN of a superuser session that production's triggers and event triggers
    leave alone (session_replication_role=replica): they police applications, and an
    event trigger refusing DDL outside migrations would refuse dbrefresh's own work on
    a clone. The server refuses this setting to other roles when they connect."""
    return _with_settings(dsn, {"session_replication_role": "replica"})


def dsn_database(dsn: str) -> str:
    """The database a DSN names (libpq's default: the user name)."""
    params = conninfo.conninfo_to_dict(dsn)
    name = params.get("dbname") or params.get("user") or "postgres"
    return str(name)


def dsn_user(dsn: str) -> str:
    """The role a DSN logs in as (libpq's default: PGUSER, else the OS user)."""
    user = conninfo.conninfo_to_dict(dsn).get("user") or os.environ.get("PGUSER")
    return str(user) if user else getpass.getuser()


def describe_dsn(dsn: str) -> str:
    """Where a DSN points (host, port, database, user): what a user needs to recognise
    it in an error, without its password or the session options dbrefresh adds."""
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return redact_dsn(dsn)
    shown = {k: str(params[k]) for k in ("host", "port", "dbname", "user") if params.get(k)}
    return conninfo.make_conninfo("", **shown) if shown else "the default server"


def connect(dsn: str, *, autocommit: bool = False, **kwargs: Any) -> psycopg.Connection[Any]:
    """Open a connection, turning connection failures into InfraError without the password."""
    try:
        return psycopg.connect(
            dsn, autocommit=autocommit, application_name=APPLICATION_NAME, **kwargs
        )
    except psycopg.OperationalError as exc:
        message = redact_text(str(exc).strip(), dsn)
        raise InfraError(f"cannot connect to {describe_dsn(dsn)}: {message}") from None


@contextmanager
def connection(dsn: str, *, autocommit: bool = False) -> Iterator[psycopg.Connection[Any]]:
    """Connection as a context manager that always closes."""
    conn = connect(dsn, autocommit=autocommit)
    try:
        yield conn
    finally:
        conn.close()


class LiveSessions:
    """Connections worker threads are using, so that an abort can cancel what they run
    (a chunk, a swap or a VACUUM of a large table takes minutes) instead of waiting."""

    def __init__(self) -> None:
        self._open: set[psycopg.Connection[Any]] = set()
        self._lock = threading.Lock()

    @contextmanager
    def track(self, conn: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            self._open.add(conn)
        try:
            yield conn
        finally:
            with self._lock:
                self._open.discard(conn)

    def cancel_all(self) -> None:
        """Cancel the statement each open session runs (each transaction rolls back)."""
        with self._lock:
            sessions = list(self._open)
        for conn in sessions:
            with suppress(psycopg.Error):  # closed or broken meanwhile: nothing to cancel
                conn.cancel_safe(timeout=5.0)
