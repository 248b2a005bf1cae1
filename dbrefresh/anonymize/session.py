"""The settings every masking session runs with, and how a session gets them."""

from __future__ import annotations

from typing import Any

import psycopg

# Memory for one masking session: the masked copy lives in temp buffers, index builds
# and FK validation sort and hash. Throw-away servers have the memory to spare.
# Date, number and byte formats are pinned: strategies hash values rendered as text.
SESSION_SETTINGS = {
    # Limits the clone inherited from production would cancel long chunks and swaps: the
    # DSN lifts the ones every server has (api: dbrefresh.db.without_limits), the
    # sessions those only newer servers have.
    "idle_session_timeout": "0",
    "transaction_timeout": "0",
    "temp_file_limit": "-1",  # an index build of a large table sorts more than apps do
    "temp_buffers": "256MB",
    "work_mem": "128MB",
    "maintenance_work_mem": "512MB",
    "DateStyle": "ISO, MDY",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "extra_float_digits": "1",
    # Text forms that a database or role setting could change between the masking and
    # the verify sessions (leak samples and their row keys are digests of text forms).
    "bytea_output": "hex",
    "lc_monetary": "C",
    # A policy filtering rows would make a table look smaller (verify: fewer rows, no
    # leaks): with row security off, PostgreSQL refuses such a query instead.
    "row_security": "off",
    # JIT compiles each chunk's big expression list anew (measured 0.34 s per chunk on
    # orders) and wins nothing back on these expressions.
    "jit": "off",
    # Masked long text is compressed once, in the masked copy (the refill keeps it as
    # it is): lz4 compresses a 10 kB body ~8x faster than pglz (35 against 145 us), the
    # larger part of masking it. Servers built without lz4 keep pglz (enumvals below).
    "default_toast_compression": "lz4",
    # De-duplicated columns rely on the planner memoizing their LATERAL subqueries.
    "enable_memoize": "on",
    # A dbrefresh killed outright (SIGKILL, OOM) leaves no statement running for minutes
    # on a server that only notices the lost client when it next writes to it.
    "client_connection_check_interval": "1s",
}


def prepare_session(
    conn: psycopg.Connection[Any], key: str, digest: str, *, replica: bool = True
) -> None:
    """Session settings every masking connection needs (key via a bound parameter).
    replica=False for sessions that only read (verify), which any role may run.

    One round trip for them all: a run opens a session per chunk, swap and view, and
    one statement per setting made that 7.6 ms of every session (400 small tables:
    1,800 sessions).
    """
    names = list(SESSION_SETTINGS)
    if replica:
        conn.execute("SET session_replication_role = replica")
    # Only settings this server has (a clone runs production's major version, and
    # enable_memoize, say, is new in PostgreSQL 14: older ones just run slower) and this
    # role may set (temp_file_limit is a superuser's; verify's role need not be one).
    conn.execute(
        "SELECT count(set_config(s.name, w.value, false)), "
        "set_config('dbrefresh.key', %s, false), set_config('dbrefresh.rules_digest', %s, false) "
        "FROM unnest(%s::text[], %s::text[]) AS w(name, value) "
        "JOIN pg_settings s ON lower(s.name) = lower(w.name) "
        "AND (s.context <> 'superuser' OR current_setting('is_superuser') = 'on') "
        "AND (s.enumvals IS NULL OR w.value = ANY(s.enumvals))",
        (key, digest, names, [SESSION_SETTINGS[n] for n in names]),
    )
    conn.commit()
