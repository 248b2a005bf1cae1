"""Blocked queries: probes read and write the touched tables while the trace runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits


def test_alter_type_blocks_reads_and_writes_for_about_its_duration(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("SET lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v TYPE bigint;\n")

    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60)))

    assert result.trace is not None and result.trace.probed == ["big"]
    t = result.statements[1].trace
    assert t is not None and t.error is None and t.seconds > 0.2
    p = t.probes
    assert p.tables == ["big"]
    assert p.reads_blocked >= 2 and p.writes_blocked >= 2
    for wait in (p.read_wait, p.write_wait):
        # blocked from about when the lock was taken until COMMIT released it
        assert 0.6 * t.seconds <= wait <= t.longest_blocking_hold + 0.25
    codes = {(f.finding.code, f.finding.severity.value) for f in result.findings}
    assert ("trace-queries-blocked", "info") in codes  # under the 60 s limit
    assert result.passed
    doc = json.loads(render(result, "json"))
    blocked = doc["statements"][1]["trace"]["blocked_queries"]
    assert blocked["reads"]["blocked"] == p.reads_blocked
    assert blocked["writes"]["max_wait_seconds"] > 0.1
    assert "reads blocked" in render(result, "text")
    assert "writes blocked" in render(result, "markdown")


def test_create_index_concurrently_blocks_neither_reads_nor_writes(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("CREATE INDEX CONCURRENTLY big_v_idx ON big (v, id);\n")

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=Limits(0.01)))

    t = result.statements[0].trace
    assert t is not None and t.error is None
    p = t.probes
    assert p.read_probes >= 3 and p.write_probes >= 3  # probes ran while it built
    assert (p.reads_blocked, p.writes_blocked, p.read_wait, p.write_wait) == (0, 0, 0.0, 0.0)
    assert result.passed  # even with a 10 ms limit
    assert "reads and writes went on" in render(result, "text")


def test_create_index_blocks_writes_not_reads_and_fails_over_the_limit(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("SET lock_timeout = '2s';\nCREATE INDEX big_v_idx ON big (v, id);\n")

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=Limits(0.05)))

    t = result.statements[1].trace
    assert t is not None and t.error is None and t.seconds > 0.2
    p = t.probes
    assert p.read_probes >= 3 and p.reads_blocked == 0 and p.read_wait == 0.0
    assert p.writes_blocked >= 2 and p.write_wait >= 0.6 * t.seconds
    assert not result.passed
    blocked = [f for f in result.findings if f.finding.code == "trace-queries-blocked"]
    assert len(blocked) == 1 and blocked[0].finding.severity.value == "error"
    assert "reads went on" in blocked[0].finding.message
    junit = render(result, "junit")
    assert "trace-queries-blocked" in junit and "<failure" in junit


def test_a_probe_that_cannot_run_is_reported_not_counted_as_unblocked(
    admin_dsn: str, staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    role = f"gate_ro_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        with psycopg.connect(staging_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("GRANT SELECT ON big TO {}").format(sql.Identifier(role)))
        dsn = psycopg.conninfo.make_conninfo(staging_dsn, user=role)
        path = write_sql("SELECT count(*) FROM big;\n")

        result = gate([path], GateOptions(dsn=dsn, trace=True, keep=True))

        assert result.trace is not None and result.trace.probed == ["big"]
        [problem] = [n for n in result.notes if n.startswith("blocked queries not measured")]
        assert "write probe on big failed" in problem and "permission denied" in problem
    finally:
        with psycopg.connect(staging_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
