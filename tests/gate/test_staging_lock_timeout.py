"""`missing-lock-timeout` starts from the lock_timeout staging's session already has:
`ALTER DATABASE app SET lock_timeout`, `ALTER ROLE deployer [IN DATABASE app] SET ...` or
the server configuration bound the migration's lock waits as a `SET lock_timeout` in the
migration does; 0 from there is none (real PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from dbrefresh.db import dsn_database
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult

_ALTER = "ALTER TABLE small ADD c int;\n"


@pytest.fixture
def deployer(staging_dsn: str) -> Iterator[str]:
    """A login role of its own (a role's settings are cluster-wide): its DSN."""
    role = f"deployer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield conninfo.make_conninfo(staging_dsn, user=role)
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _execute(dsn: str, statement: sql.Composable) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement)


def _database(dsn: str, setting: str) -> None:
    db = sql.Identifier(dsn_database(dsn))
    _execute(dsn, sql.SQL("ALTER DATABASE {} SET ").format(db) + sql.SQL(setting))


def _missing(result: GateResult) -> list[int]:
    return [i for i, s in enumerate(result.statements) if "missing-lock-timeout" in s.rules]


def _gate(dsn: str, write_sql: Callable[..., Path], body: str = _ALTER) -> GateResult:
    return gate([write_sql(body)], GateOptions(dsn=dsn))


def test_a_database_lock_timeout_is_the_sessions_and_the_report_says_so(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    assert _missing(_gate(staging_dsn, write_sql)) == [0]  # staging without one
    _database(staging_dsn, "lock_timeout = '3s'")

    result = _gate(staging_dsn, write_sql)

    assert _missing(result) == []
    assert result.passed
    db = dsn_database(staging_dsn)
    assert any(
        "lock_timeout 3s" in n and f"ALTER DATABASE {db} SET lock_timeout" in n
        for n in result.notes
    ), result.notes


@pytest.mark.parametrize("in_database", [False, True])
def test_a_role_lock_timeout_counts_for_the_gates_role(
    staging_dsn: str, deployer: str, write_sql: Callable[..., Path], in_database: bool
) -> None:
    """The role the gate connects as is the migration tool's: its setting counts."""
    role = conninfo.conninfo_to_dict(deployer)["user"]
    statement = sql.SQL("ALTER ROLE {} ").format(sql.Identifier(role))
    where = f"ALTER ROLE {role} SET"
    if in_database:
        db = dsn_database(staging_dsn)
        statement += sql.SQL("IN DATABASE {} ").format(sql.Identifier(db))
        where = f"ALTER ROLE {role} IN DATABASE {db} SET"
    _execute(staging_dsn, statement + sql.SQL("SET lock_timeout = '2500ms'"))

    result = _gate(deployer, write_sql)

    assert _missing(result) == []
    assert any(where in n for n in result.notes), result.notes
    # another role (the gate's default DSN) has no such setting: the finding stays
    assert _missing(_gate(staging_dsn, write_sql)) == [0]


def test_a_server_configuration_lock_timeout_counts(
    admin_dsn: str, staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """postgresql.conf (here postgresql.auto.conf, by ALTER SYSTEM) counts the same."""
    _execute(admin_dsn, sql.SQL("ALTER SYSTEM SET lock_timeout = '4s'"))
    try:
        _execute(admin_dsn, sql.SQL("SELECT pg_reload_conf()"))
        with psycopg.connect(staging_dsn) as conn:  # the reload is asynchronous
            for _ in range(100):
                if conn.execute("SHOW lock_timeout").fetchone() == ("4s",):
                    break
                conn.execute("SELECT pg_sleep(0.05)")
        result = _gate(staging_dsn, write_sql)
    finally:
        _execute(admin_dsn, sql.SQL("ALTER SYSTEM RESET lock_timeout"))
        _execute(admin_dsn, sql.SQL("SELECT pg_reload_conf()"))

    assert _missing(result) == []
    assert any("lock_timeout 4s (staging's server configuration" in n for n in result.notes)


def test_a_zero_lock_timeout_from_staging_is_none(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    _database(staging_dsn, "lock_timeout = 0")

    result = _gate(staging_dsn, write_sql)

    assert _missing(result) == [0]
    assert any("lock_timeout is 0" in n for n in result.notes), result.notes


def test_the_migrations_own_zero_still_wins_and_reset_returns_to_stagings(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    _database(staging_dsn, "lock_timeout = '3s'")
    body = (
        "-- 1.sql\nSET lock_timeout = 0;\nALTER TABLE small ADD c int;\n"
        "-- 2.sql\nRESET lock_timeout;\nALTER TABLE small ADD d int;\n"
        "-- 3.sql\nSET lock_timeout = 0;\nSET LOCAL lock_timeout TO DEFAULT;\n"
        "ALTER TABLE small ADD e int;\n"
    )

    result = _gate(staging_dsn, write_sql, body)

    assert _missing(result) == [1]
