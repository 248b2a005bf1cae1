"""A refresh before the trace replaces staging's data directory: the database's and
role's settings then are production's, not those of the stale staging the gate saw
first. The trace must run with the settings of the database it runs on, and the
analysis resolve names with them (real PostgreSQL; the Refresher changes staging as a
refresh would)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from dbrefresh.db import dsn_database
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits


class _RefreshBringsProductionSettings:
    """A Refresher whose refresh brings production's `ALTER DATABASE ... SET`s along."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.refreshed = 0

    def ensure_fresh(self, max_age: timedelta) -> str:
        db = sql.Identifier(dsn_database(self.dsn))
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            for setting in ("search_path = billing, public", "lock_timeout = '3s'"):
                conn.execute(sql.SQL("ALTER DATABASE {} SET ").format(db) + sql.SQL(setting))
        self.refreshed += 1
        return "staging refreshed first by run r1"

    def restore(self) -> None:
        return None


def test_the_trace_runs_with_the_refreshed_databases_settings(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Before the refresh `invoices` is unknown (no search_path leads to billing), so
    the gate traces; the refresh brings `search_path = billing, public`: the trace must
    find billing.invoices (it failed "does not exist" with the stale settings) and its
    lock_timeout counts."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute("CREATE TABLE billing.invoices (id int PRIMARY KEY, note varchar(50))")
        conn.execute("INSERT INTO billing.invoices SELECT g, 'n' FROM generate_series(1, 1000) g")
        conn.execute("ANALYZE billing.invoices")
    path = write_sql("ALTER TABLE invoices ALTER COLUMN note TYPE varchar(100);\n")
    refresher = _RefreshBringsProductionSettings(staging_dsn)

    options = GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60))
    result = gate([path], options, refresher=refresher)

    assert refresher.refreshed == 1
    statement = result.statements[0]
    assert statement.trace is not None and statement.trace.error is None, statement.trace
    assert "trace-failed" not in statement.rules
    assert "missing-lock-timeout" not in statement.rules
    assert result.passed, [f.finding.code for f in result.findings]
    assert any("search_path 'billing, public'" in n for n in result.notes), result.notes
    assert any("lock_timeout 3s" in n for n in result.notes), result.notes
