"""Trace on a real PostgreSQL: what runs, which locks, how long, and staging unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits


def _column_type(dsn: str, table: str, column: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attname = %s",
            (table, column),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_alter_type_on_big_table_is_a_measured_rewrite_under_access_exclusive(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v TYPE bigint;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=60)))

    assert result.trace is not None  # heavy, so traced without --trace
    alter = result.statements[1]
    measured = alter.trace
    assert measured is not None and measured.error is None
    assert "big" in measured.rewritten and "big_pkey" in measured.rewritten
    assert ("big", LockMode.ACCESS_EXCLUSIVE) in measured.locks
    assert measured.blocking_lock == ("big", LockMode.ACCESS_EXCLUSIVE)
    # held from the statement's start until COMMIT: at least its own duration
    assert measured.seconds > 0.05
    assert measured.seconds <= measured.longest_blocking_hold < measured.seconds + 1.0
    assert result.passed  # under the 60 s limit; the static hit is only a warning now
    assert [(f.finding.code, f.finding.severity.value) for f in result.findings] == [
        ("column-type-rewrite", "warning"),
        ("trace-queries-blocked", "info"),  # reads and writes waited, under the limit
    ]
    assert _column_type(staging_dsn, "big", "v") == "integer"  # staging unchanged


def test_a_rewrite_the_trace_did_not_see_is_dropped(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Statically, a change to a domain is assumed to rewrite (nothing is known about
    the domain); PostgreSQL skips the rewrite for a domain without constraints. The
    trace ran it, saw no new file: the claim is dropped, not reported as a warning."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE DOMAIN plain_int AS int")
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v TYPE plain_int;\n"
    )
    static = gate([path], GateOptions(dsn=staging_dsn, trace=False))
    assert static.trace is not None  # heavy by the static claim, so traced anyway
    measured = static.statements[1].trace
    assert measured is not None and measured.error is None and measured.rewritten == []
    codes = [f.finding.code for f in static.findings]
    assert "column-type-rewrite" not in codes  # (a probe may still catch the short lock)
    assert static.passed
    # a real rewrite keeps its finding (the test above), so the drop is the trace's doing
    assert "column-type-rewrite" not in static.statements[1].rules


def test_verdict_follows_the_lock_threshold(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v TYPE bigint;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, limits=Limits(max_lock_seconds=0.01)))

    assert not result.passed
    codes = {(f.finding.code, f.finding.severity.value) for f in result.findings}
    assert ("trace-lock-held", "error") in codes


def test_verdict_follows_the_total_threshold(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("SELECT count(*) FROM big;\n")
    slow = gate(
        [path], GateOptions(dsn=staging_dsn, trace=True, limits=Limits(max_total_seconds=0.0001))
    )
    fine = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    assert [f.finding.code for f in slow.findings] == ["trace-total-duration"]
    assert not slow.passed
    assert fine.passed and fine.findings == []


def test_create_index_concurrently_does_not_block_writes(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("CREATE INDEX CONCURRENTLY big_v_idx ON big (v);\n")

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=Limits(0.01)))

    stmt = result.statements[0]
    assert stmt.classified.lock is LockMode.SHARE_UPDATE_EXCLUSIVE
    assert stmt.classified.effective_blocks.label == "nothing"
    assert stmt.trace is not None and stmt.trace.error is None
    assert stmt.trace.seconds > 0.05
    assert ("big", LockMode.SHARE_UPDATE_EXCLUSIVE) in stmt.trace.locks
    assert stmt.trace.blocking_lock is None  # nothing held that blocks reads or writes
    assert result.passed  # even with a 10 ms lock limit
    with psycopg.connect(staging_dsn) as conn:
        assert conn.execute("SELECT to_regclass('big_v_idx')").fetchone() == (None,)


def test_keep_runs_on_staging_itself(staging_dsn: str, write_sql: Callable[..., Path]) -> None:
    path = write_sql("ALTER TABLE small ALTER COLUMN v TYPE bigint;\n")
    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, keep=True))
    assert result.trace is not None and result.trace.ran_on == "staging"
    assert result.statements[0].trace is not None
    assert "small" in result.statements[0].trace.rewritten
    assert _column_type(staging_dsn, "small", "v") == "bigint"


def test_failing_statement_is_reported_and_staging_unchanged(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\n"
        "ALTER TABLE small ADD COLUMN w int;\n"
        "ALTER TABLE small ADD CONSTRAINT c CHECK (v > 5);\n"  # fails: rows with v <= 5
    )
    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    assert not result.passed
    failed = [f for f in result.findings if f.finding.code == "trace-failed"]
    assert len(failed) == 1 and failed[0].finding.location.line == 3
    with psycopg.connect(staging_dsn) as conn:
        cols = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'small'::regclass AND attname = 'w'"
        ).fetchone()
    assert cols == (0,)


class _TemplateRestore:
    """A Refresher as the workflow would provide one: here, staging is restored by
    re-creating it from the template it was copied from (real SQL, no mocks)."""

    def __init__(self, admin_dsn: str, staging_dsn: str, template: str) -> None:
        self.admin_dsn, self.staging_dsn, self.template = admin_dsn, staging_dsn, template
        self.asked: list[timedelta] = []
        self.restored = 0

    def ensure_fresh(self, max_age: timedelta) -> str:
        self.asked.append(max_age)
        return "staging is fresh"

    def restore(self) -> None:
        name = psycopg.conninfo.conninfo_to_dict(self.staging_dsn)["dbname"]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(self.template)
                )
            )
        self.restored += 1


def test_in_place_trace_asks_the_refresher_to_refresh_and_restore(
    admin_dsn: str, staging_dsn: str, staging_template: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("ALTER TABLE small ALTER COLUMN v TYPE bigint;\n")
    refresher = _TemplateRestore(admin_dsn, staging_dsn, staging_template)
    options = GateOptions(dsn=staging_dsn, trace=True, in_place=True, max_age=timedelta(hours=6))

    result = gate([path], options, refresher=refresher)

    assert result.trace is not None and result.trace.ran_on == "staging"
    assert refresher.asked == [timedelta(hours=6)] and refresher.restored == 1
    assert "staging is fresh" in result.notes
    assert _column_type(staging_dsn, "small", "v") == "integer"


def test_explicit_transactions_are_run_as_written(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE small ADD COLUMN w int;\nCOMMIT;\n"
        "CREATE INDEX CONCURRENTLY small_v_idx ON small (v);\n"
    )
    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    add = result.statements[2]
    assert add.classified.in_transaction
    assert add.trace is not None and ("small", LockMode.ACCESS_EXCLUSIVE) in add.trace.locks
    assert add.trace.blocking_lock == ("small", LockMode.ACCESS_EXCLUSIVE)
    cic = result.statements[4]
    assert not cic.classified.in_transaction and cic.trace is not None
    assert cic.trace.error is None
    assert result.passed


def test_opaque_statements_are_traced_and_measured(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """Nothing looks heavy statically (a DO block, a function call), so only the trace
    can see the rewrite inside: with --dsn it runs without --trace."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION widen() RETURNS void LANGUAGE plpgsql AS "
            "$$ BEGIN ALTER TABLE big ALTER COLUMN v TYPE bigint; END $$"
        )
    do = write_sql(
        "SET LOCAL lock_timeout = '2s';\n"
        "DO $$ BEGIN ALTER TABLE big ALTER COLUMN v TYPE bigint; END $$;\n",
        "do.sql",
    )
    call = write_sql("SET LOCAL lock_timeout = '2s';\nSELECT widen();\n", "call.sql")
    strict = Limits(max_lock_seconds=0.1)

    for path in (do, call):
        result = gate([path], GateOptions(dsn=staging_dsn, limits=strict))
        assert result.trace is not None
        measured = result.statements[1].trace
        assert measured is not None and "big" in measured.rewritten
        assert measured.blocking_lock == ("big", LockMode.ACCESS_EXCLUSIVE)
        codes = {(f.finding.code, f.finding.severity.value) for f in result.findings}
        assert ("opaque-statement", "warning") in codes
        assert ("trace-lock-held", "error") in codes
        assert not result.passed


def test_add_column_of_a_domain_with_constraints_rewrites(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """PostgreSQL 15 rewrites the table to check each row's value against the domain's
    constraints, with or without a DEFAULT; a domain without constraints does not."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE DOMAIN pos_int AS int CHECK (VALUE > 0)")
        conn.execute("CREATE DOMAIN pos_id AS pos_int")  # constrained through its base
        conn.execute("CREATE DOMAIN plain_int AS int")
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\n"
        "ALTER TABLE parent ADD COLUMN a pos_int;\n"
        "ALTER TABLE parent ADD COLUMN b pos_int DEFAULT 1;\n"
        "ALTER TABLE parent ADD COLUMN c pos_id;\n"
        "CREATE DOMAIN short_text AS text;\n"
        "ALTER DOMAIN short_text ADD CONSTRAINT short CHECK (length(VALUE) < 10);\n"
        "ALTER TABLE parent ADD COLUMN d short_text;\n"
        "ALTER TABLE parent ADD COLUMN e plain_int DEFAULT 1;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))

    adds = [result.statements[i] for i in (1, 2, 3, 6, 7)]
    assert [s.classified.work.value for s in adds] == ["rewrite"] * 4 + ["metadata"]
    assert ["add-column-rewrite" in s.rules for s in adds] == [True] * 4 + [False]
    measured = [s.trace for s in adds]
    assert all(m is not None and m.error is None for m in measured)
    assert [m is not None and "parent" in m.rewritten for m in measured] == [True] * 4 + [False]


def test_collation_change_rebuilds_the_column_indexes(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """No table rewrite, but the index on the column is dropped and rebuilt (a new OID
    and a new file): the trace must see it by table and name, not by OID."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE INDEX small_note_idx ON small (note)")
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\n"
        'ALTER TABLE small ALTER COLUMN note TYPE text COLLATE "C";\n'
        'ALTER TABLE big ALTER COLUMN note TYPE text COLLATE "C";\n'  # no index on note
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))

    on_small, on_big = result.statements[1], result.statements[2]
    assert on_small.classified.work.value == "index_build"
    assert on_small.rules == ["collation-change-rebuilds-index"]
    assert on_small.trace is not None and on_small.trace.rewritten == ["small_note_idx"]
    assert on_big.classified.work.value == "metadata" and on_big.rules == []
    # without staging the source type is unknown too: assumed a rewrite, an error
    static = gate([path], GateOptions())
    assert not static.passed
    # known type, unknown indexes (table not read from staging): assumed to have some
    known_type = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE t ALTER COLUMN c TYPE text;\n"
        'ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C";\n',
        "known.sql",
    )
    rules = gate([known_type], GateOptions()).statements[2].rules
    assert "collation-change-rebuilds-index" in rules


def test_keep_applies_the_migration_even_when_nothing_is_heavy(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("SET LOCAL lock_timeout = '2s';\nALTER TABLE small ADD COLUMN w int;\n")
    result = gate([path], GateOptions(dsn=staging_dsn, keep=True))  # no --trace
    assert result.trace is not None and result.trace.ran_on == "staging"
    assert any(n.startswith("traced on staging itself (kept), ") for n in result.notes)
    assert not any("copy" in n for n in result.notes)
    copied = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    assert any(n.startswith("traced on a copy of staging (copy took ") for n in copied.notes)
    assert _column_type(staging_dsn, "small", "w") == "integer"


def test_keep_says_what_stayed_on_staging_after_a_failure(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    first = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE small ADD COLUMN w int;\n", "V1.sql"
    )
    second = write_sql(
        "CREATE INDEX CONCURRENTLY small_v_idx ON small (v);\n"  # autocommit script
        "ALTER TABLE small ADD CONSTRAINT c CHECK (v > 5);\n",  # fails: rows with v <= 5
        "V2.sql",
    )
    result = gate([first, second], GateOptions(dsn=staging_dsn, keep=True))

    assert not result.passed
    note = next(n for n in result.notes if n.startswith("--keep"))
    assert "kept there: V1.sql" in note and "part of V2.sql" in note
    assert _column_type(staging_dsn, "small", "w") == "integer"
    with psycopg.connect(staging_dsn) as conn:
        assert conn.execute("SELECT to_regclass('small_v_idx') IS NOT NULL").fetchone() == (True,)


def test_toast_relations_are_not_listed(staging_dsn: str, write_sql: Callable[..., Path]) -> None:
    """A rewrite of a table with a TOAST table locks and rewrites that too: noise."""
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE small ALTER COLUMN v TYPE bigint;\n"
    )
    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    measured = result.statements[1].trace
    assert measured is not None and "small" in measured.rewritten
    names = [name for name, _ in measured.locks] + measured.rewritten
    assert names and not [n for n in names if n.startswith("pg_toast")]
