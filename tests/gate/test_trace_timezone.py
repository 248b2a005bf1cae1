"""The trace runs in staging's time zone, not the gate machine's: `timestamp` ->
`timestamptz` rewrites the table unless the session's TimeZone is UTC (PostgreSQL 12+),
so a trace in the wrong zone reports the wrong verdict (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dbrefresh.db import dsn_database
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult, Limits

_MIGRATION = "SET lock_timeout = '2s';\nALTER TABLE stamps ALTER COLUMN at TYPE timestamptz;\n"


def _with_stamps(dsn: str, zone: str) -> None:
    """A `timestamp` column on staging, whose database runs sessions in `zone`."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE stamps (id int PRIMARY KEY, at timestamp NOT NULL)")
        conn.execute(
            "INSERT INTO stamps SELECT g, '2024-01-01'::timestamp + g * interval '1 min' "
            "FROM generate_series(1, 1000) g"
        )
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET TimeZone = {}").format(
                sql.Identifier(dsn_database(dsn)), sql.Literal(zone)
            )
        )


def _traced(dsn: str, path: Path) -> GateResult:
    result = gate([path], GateOptions(dsn=dsn, trace=True, limits=Limits(max_lock_seconds=60)))
    assert result.trace is not None
    measured = result.statements[1].trace
    assert measured is not None and measured.error is None
    return result


@pytest.mark.parametrize("client_zone", ["TZ", "PGTZ"])
def test_a_utc_staging_is_traced_in_utc_whatever_the_machines_zone(
    staging_dsn: str,
    write_sql: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    client_zone: str,
) -> None:
    _with_stamps(staging_dsn, "UTC")
    monkeypatch.setenv("TZ", "America/New_York")
    if client_zone == "PGTZ":  # libpq sends it along: the machine's zone, on staging
        monkeypatch.setenv("PGTZ", "America/New_York")

    result = _traced(staging_dsn, write_sql(_MIGRATION))

    measured = result.statements[1].trace
    assert measured is not None and measured.rewritten == []  # no rewrite in UTC
    assert "column-type-rewrite" not in result.statements[1].rules
    assert any("TimeZone UTC" in n for n in result.notes)


@pytest.mark.parametrize("client_zone", ["TZ", "PGTZ"])
def test_a_new_york_staging_is_traced_in_new_york_whatever_the_machines_zone(
    staging_dsn: str,
    write_sql: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    client_zone: str,
) -> None:
    _with_stamps(staging_dsn, "America/New_York")
    monkeypatch.setenv("TZ", "UTC")
    if client_zone == "PGTZ":
        monkeypatch.setenv("PGTZ", "UTC")

    result = _traced(staging_dsn, write_sql(_MIGRATION))

    measured = result.statements[1].trace
    assert measured is not None and "stamps" in measured.rewritten
    assert "column-type-rewrite" in result.statements[1].rules
    assert any("TimeZone America/New_York" in n for n in result.notes)


def test_the_migrations_own_time_zone_setting_still_counts(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Django and others set UTC in the session: the migration's SET wins over staging's
    default, as it would when the tool runs it."""
    _with_stamps(staging_dsn, "America/New_York")
    path = write_sql("SET TimeZone = 'UTC';\n" + _MIGRATION)

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))

    measured = result.statements[2].trace
    assert measured is not None and measured.error is None and measured.rewritten == []
