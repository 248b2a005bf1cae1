"""The gate reads names as the migration tool's session on staging does: from staging's
own search_path (`ALTER DATABASE`/`ALTER ROLE ... SET`), which a `CREATE DATABASE ...
TEMPLATE` copy does not carry; the trace's session gets those settings too (real
PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dbrefresh.db import dsn_database, dsn_user
from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.staging_session import connect_as_staging, read_staging_session
from dbrefresh.gate.verdict import GateResult, Limits

_WIDEN = "SET lock_timeout = '1s';\nALTER TABLE invoices ALTER COLUMN note TYPE varchar(100);\n"


def _alter(dsn: str, target: str, setting: str) -> None:
    """`ALTER DATABASE <staging> SET ...` or `ALTER ROLE <role> IN DATABASE ...`."""
    db = sql.Identifier(dsn_database(dsn))
    if target == "database":
        stmt = sql.SQL("ALTER DATABASE {} SET ").format(db)
    else:
        stmt = sql.SQL("ALTER ROLE {} IN DATABASE {} SET ").format(
            sql.Identifier(dsn_user(dsn)), db
        )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(stmt + sql.SQL(setting))


def _with_invoices(dsn: str, note_type: str) -> None:
    """billing.invoices, 150k rows: a table only staging's search_path finds unqualified."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute(f"CREATE TABLE billing.invoices (id int PRIMARY KEY, note {note_type})")
        conn.execute(
            "INSERT INTO billing.invoices SELECT g, 'n' || g FROM generate_series(1, 150000) g"
        )
        conn.execute("ANALYZE billing.invoices")


def _codes(result: GateResult) -> set[tuple[str, str]]:
    return {(f.finding.code, f.finding.severity.value) for f in result.findings}


def _run(dsn: str, path: Path, *, trace: bool = False) -> GateResult:
    limits = Limits(max_lock_seconds=60)
    return gate([path], GateOptions(dsn=dsn, trace=trace, limits=limits))


@pytest.mark.parametrize("target", ["database", "role"])
def test_a_table_found_by_stagings_search_path_is_traced_not_missing(
    staging_dsn: str, write_sql: Callable[..., Path], target: str
) -> None:
    """varchar(50) -> varchar(100) is metadata only: the trace runs it and the gate
    passes; on a copy without staging's search_path it failed ("does not exist")."""
    _with_invoices(staging_dsn, "varchar(50)")
    _alter(staging_dsn, target, "search_path = billing, public")

    result = _run(staging_dsn, write_sql(_WIDEN), trace=True)

    measured = result.statements[1].trace
    assert measured is not None and measured.error is None
    assert "trace-failed" not in result.statements[1].rules
    assert measured.rewritten == []
    assert result.passed, _codes(result)
    assert any("search_path 'billing, public'" in n for n in result.notes)


def test_a_rewrite_of_a_table_found_by_stagings_search_path_is_measured(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """text -> varchar(100) rewrites billing.invoices: heavy, so traced; the verdict
    follows the measured rewrite (quick here), not a trace failure."""
    _with_invoices(staging_dsn, "text")
    _alter(staging_dsn, "database", "search_path = billing, public")

    result = _run(staging_dsn, write_sql(_WIDEN))

    measured = result.statements[1].trace
    assert measured is not None and measured.error is None
    assert "billing.invoices" in measured.rewritten
    assert "trace-failed" not in result.statements[1].rules
    assert "column-type-rewrite" in result.statements[1].rules
    assert result.passed, _codes(result)


@pytest.mark.parametrize("target", ["database", "role"])
def test_a_call_stagings_search_path_sends_to_the_applications_function_is_traced(
    staging_dsn: str, write_sql: Callable[..., Path], target: str
) -> None:
    """util.now() comes before pg_catalog in staging's search_path: `now()` runs the
    application's code (here it locks big), so the statement is opaque and traced."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA util")
        conn.execute(
            "CREATE FUNCTION util.now() RETURNS timestamptz LANGUAGE plpgsql AS $$ BEGIN "
            "LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(0.3); "
            "RETURN pg_catalog.now(); END $$"
        )
        conn.execute("CREATE TABLE accounts (id int PRIMARY KEY, created_at timestamptz)")
        conn.execute("INSERT INTO accounts SELECT g, NULL FROM generate_series(1, 1000) g")
        conn.execute("ANALYZE accounts")
    _alter(staging_dsn, target, "search_path = util, pg_catalog, public")

    path = write_sql("UPDATE accounts SET created_at = now() WHERE id < 2;\n")
    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=0.1)))

    assert "opaque-statement" in result.statements[0].rules
    assert result.trace is not None
    held = [s.trace.blocking_lock for s in result.statements if s.trace is not None]
    assert ("big", LockMode.ACCESS_EXCLUSIVE) in held
    assert ("trace-lock-held", "error") in _codes(result)
    assert not result.passed


def test_the_migrations_own_search_path_still_wins(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """A SET search_path of the migration's own replaces staging's, as it would there:
    `now()` is then pg_catalog's, and RESET returns to staging's (util first again)."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA util")
        conn.execute(
            "CREATE FUNCTION util.now() RETURNS timestamptz LANGUAGE sql "
            "AS 'SELECT pg_catalog.now()'"
        )
    _alter(staging_dsn, "database", "search_path = util, pg_catalog, public")

    body = "SET search_path = public;\nSELECT now();\nRESET search_path;\nSELECT now();\n"
    result = gate([write_sql(body)], GateOptions(dsn=staging_dsn))

    assert "opaque-statement" not in result.statements[1].rules
    assert "opaque-statement" in result.statements[3].rules


def test_a_role_setting_in_the_database_reaches_the_trace_session(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """`ALTER ROLE ... IN DATABASE ... SET app.tenant`: the migration relies on it, and
    it runs there; the trace's session on the copy has it too."""
    _alter(staging_dsn, "role", "app.tenant = 'acme'")
    body = (
        "DO $$ BEGIN IF current_setting('app.tenant', true) IS DISTINCT FROM 'acme' "
        "THEN RAISE EXCEPTION 'no tenant'; END IF; END $$;\n"
    )

    result = _run(staging_dsn, write_sql(body))

    measured = result.statements[0].trace
    assert measured is not None and measured.error is None, measured
    assert "trace-failed" not in result.statements[0].rules


def test_stagings_timeouts_and_read_only_default_are_not_carried(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """The trace measures: staging's statement_timeout would cut it short, and a
    read-only default would refuse the migration it is asked to measure."""
    _alter(staging_dsn, "database", "work_mem = '7MB'")
    _alter(staging_dsn, "database", "statement_timeout = '100ms'")
    _alter(staging_dsn, "database", "default_transaction_read_only = on")  # the last one

    session = read_staging_session(staging_dsn)
    assert session.settings["work_mem"] == "7MB"
    assert "statement_timeout" not in session.settings
    assert "default_transaction_read_only" not in session.settings

    body = (
        "SET lock_timeout = '1s';\nCREATE TABLE t (id int);\n"
        "SELECT pg_sleep(0.3) FROM small LIMIT 1;\n"
    )
    result = _run(staging_dsn, write_sql(body), trace=True)

    assert result.trace is not None
    assert all(s.trace is None or s.trace.error is None for s in result.statements)


def test_the_gate_machines_pgoptions_do_not_replace_stagings_search_path(
    staging_dsn: str, write_sql: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """libpq sends PGOPTIONS along: the machine's search_path, not the migration tool's."""
    _with_invoices(staging_dsn, "varchar(50)")
    _alter(staging_dsn, "database", "search_path = billing, public")
    monkeypatch.setenv("PGOPTIONS", "-c search_path=public")

    assert read_staging_session(staging_dsn).search_path == "billing, public"
    result = _run(staging_dsn, write_sql(_WIDEN), trace=True)

    measured = result.statements[1].trace
    assert measured is not None and measured.error is None
    assert result.passed, _codes(result)


def test_a_superuser_only_setting_is_carried_only_when_the_gates_role_may_set_it(
    admin_dsn: str, staging_dsn: str
) -> None:
    """`ALTER DATABASE ... SET log_min_duration_statement` (by a superuser) applies to
    every role's sessions, but as a startup option a role may give it only when it is a
    superuser or was granted SET on it: otherwise the trace's connection would be refused."""
    role = f"gate_plain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    _alter(staging_dsn, "database", "log_min_duration_statement = 250")
    _alter(staging_dsn, "database", "search_path = billing, public")
    dsn = psycopg.conninfo.make_conninfo(staging_dsn, user=role)
    grant = sql.SQL("{} SET ON PARAMETER log_min_duration_statement {} {}")
    try:
        plain = read_staging_session(dsn)
        assert "log_min_duration_statement" not in plain.settings
        assert plain.search_path == "billing, public"
        with connect_as_staging(dsn, plain) as conn:  # not refused
            assert conn.execute("SHOW search_path").fetchone() == ("billing, public",)

        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(grant.format(sql.SQL("GRANT"), sql.SQL("TO"), sql.Identifier(role)))
        granted = read_staging_session(dsn)
        assert granted.settings["log_min_duration_statement"] == "250ms"
        with connect_as_staging(dsn, granted) as conn:
            row = conn.execute("SHOW log_min_duration_statement").fetchone()
            assert row == ("250ms",)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(grant.format(sql.SQL("REVOKE"), sql.SQL("FROM"), sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
