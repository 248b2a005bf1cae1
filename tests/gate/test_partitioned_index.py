"""CREATE INDEX CONCURRENTLY on a partitioned table: PostgreSQL refuses it, so the
deploy fails there; the gate used to pass it as a light, non-blocking build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.findings import Severity
from dbrefresh.gate.run import GateOptions, gate

EVENTS = """
CREATE TABLE events (id bigint, occurred_at timestamptz NOT NULL, payload jsonb)
  PARTITION BY RANGE (occurred_at);
CREATE TABLE events_2026_10 PARTITION OF events
  FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
INSERT INTO events SELECT g, '2026-10-01'::timestamptz + g * interval '1 second', '{}'
  FROM generate_series(1, 2000) g;
CREATE TABLE plain (id bigint PRIMARY KEY, occurred_at timestamptz);
ANALYZE;
"""
RULE = "concurrent-index-on-partitioned"


def _db(make_db: Callable[..., str]) -> str:
    dsn = make_db(prefix="gatepart")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(EVENTS)
    return dsn


@pytest.mark.parametrize(
    "create",
    [
        "CREATE INDEX CONCURRENTLY events_occurred_idx ON events (occurred_at)",
        "CREATE UNIQUE INDEX CONCURRENTLY events_id_idx ON events (id, occurred_at)",
        "CREATE INDEX CONCURRENTLY events_only_idx ON ONLY events (occurred_at)",
    ],
)
def test_a_concurrent_index_on_a_partitioned_table_fails_the_gate(
    make_db: Callable[..., str], write_sql: Callable[..., Path], create: str
) -> None:
    dsn = _db(make_db)
    refused = pytest.raises(psycopg.errors.FeatureNotSupported, match="concurrently")
    with psycopg.connect(dsn, autocommit=True) as conn, refused:  # what the deploy meets
        conn.execute(create)
    path = write_sql(f"SET lock_timeout = '5s';\n{create};\n")

    result = gate([path], GateOptions(dsn=dsn))

    [finding] = [f.finding for f in result.findings if f.finding.code == RULE]
    assert finding.severity is Severity.ERROR
    assert not result.passed
    assert "events is a partitioned table" in finding.message
    assert "PostgreSQL refuses it" in finding.message
    assert finding.hint is not None
    assert "CREATE INDEX CONCURRENTLY" in finding.hint and "ON ONLY" in finding.hint
    assert "ATTACH PARTITION" in finding.hint


def test_a_concurrent_index_on_a_partition_or_a_plain_table_passes(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """The leaf partitions and ordinary tables take CONCURRENTLY: no finding there."""
    dsn = _db(make_db)
    path = write_sql(
        "CREATE INDEX CONCURRENTLY e10_idx ON events_2026_10 (occurred_at);\n",
        "V1__leaf.sql",
    )
    other = write_sql("CREATE INDEX CONCURRENTLY plain_idx ON plain (occurred_at);\n", "V2.sql")

    result = gate([path, other], GateOptions(dsn=dsn, trace=True))

    assert result.passed
    assert [f.finding.code for f in result.findings if f.finding.code == RULE] == []
    assert result.trace is not None and result.trace.failed is None  # PostgreSQL agreed


def test_a_table_the_migration_partitions_is_known_without_staging(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "CREATE TABLE audit (at timestamptz NOT NULL) PARTITION BY RANGE (at);\n"
        "CREATE INDEX CONCURRENTLY audit_at ON audit (at);\n"
    )

    result = gate([path], GateOptions())

    assert [f.finding.code for f in result.findings if f.finding.code == RULE] == [RULE]
    assert not result.passed
