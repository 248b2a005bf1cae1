"""Names the migration itself changes or introduces, on a real PostgreSQL: a renamed
table weighs what it weighed before, a created one is the same table however it is
spelled, and IF NOT EXISTS creates nothing when staging has the table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult, Limits


def _codes(result: GateResult) -> list[tuple[str, str]]:
    return [(f.finding.code, f.finding.severity.value) for f in result.findings]


def test_a_renamed_table_keeps_its_size_and_is_traced(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE big RENAME TO members;\n"
        "ALTER TABLE members ALTER COLUMN v TYPE bigint;\n"
    )
    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=0.01)))

    alter = result.statements[2]
    assert alter.weight == "heavy"
    assert alter.size is not None and alter.size.rows >= 900_000
    assert result.trace is not None and not result.passed
    assert alter.trace is not None and alter.trace.error is None
    assert "members" in alter.trace.rewritten
    # locks are named as the statement names them: the table is members by then
    assert ("members", LockMode.ACCESS_EXCLUSIVE) in alter.trace.locks
    assert alter.trace.blocking_lock == ("members", LockMode.ACCESS_EXCLUSIVE)
    rename = result.statements[1].trace
    assert rename is not None and ("big", LockMode.ACCESS_EXCLUSIVE) in rename.locks


def test_a_table_moved_to_another_schema_keeps_its_size_and_facts(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    moved = write_sql(
        "SET lock_timeout = '2s';\n"
        "CREATE SCHEMA app;\n"
        "ALTER TABLE big SET SCHEMA app;\n"
        "CREATE INDEX big_v ON app.big (v);\n",
        "moved.sql",
    )
    renamed = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE big RENAME TO m;\n"
        "ALTER TABLE m ALTER COLUMN v SET NOT NULL;\n",  # NOT NULL on staging already
        "renamed.sql",
    )
    options = GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60))

    on_moved = gate([moved], options)
    on_renamed = gate([renamed], options)

    assert on_moved.statements[3].weight == "heavy"
    assert ("index-blocks-writes", "warning") in _codes(on_moved)  # traced: measured
    assert on_renamed.statements[2].classified.work.value == "metadata"
    assert "set-not-null-scans" not in [code for code, _ in _codes(on_renamed)]
    # static: SET SCHEMA takes ACCESS EXCLUSIVE and breaks clients naming the old place
    static = gate([moved], GateOptions())
    assert static.statements[2].classified.lock is LockMode.ACCESS_EXCLUSIVE
    assert "rename-breaks-clients" in [code for code, _ in _codes(static)]


def test_create_table_if_not_exists_creates_only_what_staging_lacks(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    on_big = write_sql(
        "SET lock_timeout = '2s';\n"
        "CREATE TABLE IF NOT EXISTS big (id int);\n"  # staging has it: a no-op
        "CREATE INDEX big_v ON big (v);\n",
        "big.sql",
    )
    on_new = write_sql(
        "SET lock_timeout = '2s';\n"
        "CREATE TABLE IF NOT EXISTS fresh (id int, at timestamptz);\n"
        "CREATE INDEX fresh_at ON fresh (at);\n",
        "new.sql",
    )

    static = gate([on_big], GateOptions())
    weighed = gate([on_big], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60)))
    new_static = gate([on_new], GateOptions())
    new_weighed = gate([on_new], GateOptions(dsn=staging_dsn))

    assert _codes(static) == [("index-blocks-writes", "error")]
    assert weighed.statements[2].weight == "heavy" and weighed.trace is not None
    assert ("index-blocks-writes", "warning") in _codes(weighed)
    # without staging nothing says the table is new: it may exist, so the index counts
    assert _codes(new_static) == [("index-blocks-writes", "error")]
    assert new_weighed.findings == [] and new_weighed.passed and new_weighed.trace is None


def test_a_created_table_is_the_same_however_it_is_spelled(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    cases = [
        [
            "SET lock_timeout = '2s';\nCREATE TABLE public.baz (id int);\n"
            "CREATE INDEX baz_i ON baz (id);\n"
        ],
        [
            "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE foo (id int);\n",
            "SET lock_timeout = '2s';\nCREATE INDEX foo_i ON app.foo (id);\n",
        ],
        [
            "CREATE SCHEMA app;\nCREATE TABLE app.bar (id int);\n",
            "SET lock_timeout = '2s';\nSET search_path TO app;\nCREATE INDEX bar_i ON bar (id);\n",
        ],
    ]
    for n, scripts in enumerate(cases):
        paths = [write_sql(text, f"c{n}_V{i}.sql") for i, text in enumerate(scripts)]
        result = gate(paths, GateOptions(dsn=staging_dsn))
        assert result.passed, (n, _codes(result))
        assert not any("not found on staging" in note for note in result.notes), n
        assert all(s.weight != "unknown" for s in result.statements), n


def test_an_unknown_table_the_trace_ran_fine_is_not_an_error(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """A table created where the analysis cannot see (a DO block) is unknown: the trace
    runs, and since the statement on it succeeded, the measurement decides."""
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "DO $$ BEGIN CREATE TABLE hidden (id int); END $$;\n"
        "CREATE INDEX hidden_i ON hidden (id);\n"
    )
    missing = write_sql(
        "SET lock_timeout = '2s';\nCREATE INDEX nowhere_i ON nowhere (id);\n", "m.sql"
    )

    result = gate([path], GateOptions(dsn=staging_dsn))
    failed = gate([missing], GateOptions(dsn=staging_dsn))

    assert result.statements[2].weight == "unknown" and result.trace is not None
    assert ("index-blocks-writes", "warning") in _codes(result)
    assert result.passed
    assert {("index-blocks-writes", "error"), ("trace-failed", "error")} <= set(_codes(failed))
