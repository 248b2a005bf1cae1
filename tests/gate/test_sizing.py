"""Sizing the right relation on a real PostgreSQL: names resolved under the migration's
search_path, names that need quoting, partitioned parents, tables missing on staging."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.split import load
from dbrefresh.gate.verdict import Limits

LIMITS = Limits(max_lock_seconds=60)


def _setup(dsn: str, *sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in sql:
            conn.execute(statement)


def test_search_path_of_the_migration_resolves_the_table(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    _setup(
        staging_dsn,
        "CREATE SCHEMA app",
        "CREATE TABLE app.invoices (id int PRIMARY KEY, total int)",
        "INSERT INTO app.invoices SELECT g, g FROM generate_series(1, 600000) g",
        "ANALYZE app.invoices",
    )
    path = write_sql(
        "SET lock_timeout = '2s';\nSET search_path TO app;\n"
        "ALTER TABLE invoices ALTER COLUMN total TYPE bigint;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, limits=LIMITS))

    alter = result.statements[2]
    assert alter.weight == "heavy"
    assert alter.size is not None and alter.size.rows >= 500_000
    assert result.trace is not None  # heavy, so traced
    assert result.trace.probed == ["app.invoices"]  # the probes found it too
    assert alter.trace is not None and "app.invoices" in alter.trace.rewritten


def test_search_path_scopes(write_sql: Callable[..., Path]) -> None:
    """SET LOCAL ends with its transaction, SET lasts until RESET; set_config alike."""
    path = write_sql(
        "-- 1.sql\nSET LOCAL search_path TO app, public;\nALTER TABLE t ADD c int;\n"
        "-- 2.sql\nALTER TABLE t ADD d int;\n"
        "SELECT set_config('search_path', 'other', false);\nALTER TABLE t ADD e int;\n"
        "-- 3.sql\nALTER TABLE t ADD f int;\nRESET search_path;\nALTER TABLE t ADD g int;\n"
    )
    analysis = analyze(load([path]))
    paths = [c.search_path for c in analysis.statements]
    assert paths == [
        '"app", "public"',
        '"app", "public"',
        None,
        "other",
        "other",
        "other",
        None,
        None,
    ]
    assert analysis.statements[3].hits == []  # set_config of search_path is understood


def test_names_that_need_quoting_are_sized(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    _setup(
        staging_dsn,
        'CREATE TABLE "order-items" (id int, "unit price" int)',
        'INSERT INTO "order-items" SELECT g, g FROM generate_series(1, 200000) g',
        'ANALYZE "order-items"',
    )
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        'CREATE INDEX order_items_price ON "order-items" ("unit price");\n'
    )

    result = gate([path], GateOptions(dsn=staging_dsn, limits=LIMITS))

    index = result.statements[1]
    assert index.size is not None and index.size.rows >= 150_000
    assert index.weight == "heavy"
    assert result.trace is not None and result.trace.probed == ['"order-items"']


def test_partitioned_parent_is_sized_by_its_partitions(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Analyzed while empty, the parent keeps reltuples = 0 and has no storage of its
    own; one partition was analyzed, the other never was (the planner estimates it)."""
    _setup(
        staging_dsn,
        "CREATE TABLE events (id int, kind int) PARTITION BY RANGE (id)",
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (600001)",
        "ANALYZE events",
        "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (600001) TO (MAXVALUE)",
        "INSERT INTO events SELECT g, g % 7 FROM generate_series(1, 1200000) g",
        "ANALYZE events_1",
        "CREATE TABLE legacy (id int, kind int)",
        "CREATE TABLE legacy_2020 () INHERITS (legacy)",
        "INSERT INTO legacy_2020 SELECT g, g FROM generate_series(1, 300000) g",
        "ANALYZE legacy",
        "ANALYZE legacy_2020",
    )
    with psycopg.connect(staging_dsn) as conn:
        assert conn.execute(
            "SELECT reltuples, pg_total_relation_size(oid) FROM pg_class WHERE relname = 'events'"
        ).fetchone() == (0, 0)
    path = write_sql(
        "SET lock_timeout = '2s';\nCREATE INDEX ON events (kind);\nCREATE INDEX ON legacy (kind);\n"
    )

    analysis = analyze(load([path]))
    from dbrefresh.gate.weigh import read_sizes

    sizes = read_sizes(staging_dsn, analysis.statements)
    events, legacy = sizes.of(analysis.statements[1]), sizes.of(analysis.statements[2])
    assert 1_000_000 <= events.rows <= 1_500_000  # 600k analyzed + ~600k estimated
    assert events.bytes > 30_000_000
    assert 250_000 <= legacy.rows <= 350_000  # rows of the child, none in the parent
    result = gate([path], GateOptions(dsn=staging_dsn, limits=LIMITS))
    assert [s.weight for s in result.statements[1:]] == ["heavy", "heavy"]


def test_a_table_missing_on_staging_is_unknown_and_traced(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    first = write_sql(
        "SET lock_timeout = '2s';\nCREATE INDEX ON invoices (total);\n"
        "ALTER TABLE IF EXISTS gone ALTER COLUMN x TYPE bigint;\n"
        "CREATE TABLE fresh (id int);\n",
        "V1.sql",
    )
    second = write_sql("SET lock_timeout = '2s';\nCREATE INDEX ON fresh (id);\n", "V2.sql")

    result = gate([first, second], GateOptions(dsn=staging_dsn))

    weights = [s.weight for s in result.statements]
    assert weights[1] == "unknown"  # invoices: neither on staging nor created
    assert weights[2] == "light"  # IF EXISTS: nothing happens when it is missing
    assert weights[5] == "light"  # created by the migration (in an earlier script)
    assert not result.passed
    index = [f.finding for f in result.findings if f.finding.code == "index-blocks-writes"]
    assert [f.severity.value for f in index] == ["error", "info"]
    assert "invoices not found on staging" in index[0].message
    assert any("not found on staging" in n and "invoices" in n for n in result.notes)
    assert result.trace is not None  # unknown: the trace runs, and fails clearly
    failed = [f.finding for f in result.findings if f.finding.code == "trace-failed"]
    assert len(failed) == 1 and 'relation "invoices" does not exist' in failed[0].message
