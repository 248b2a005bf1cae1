"""Static classification: lock mode, what it blocks, the work it does, and the rules hit,
for every operation the gate must know (PostgreSQL 15 semantics)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.split import load

AS, RS, RE, SUE, S, SRE, E, AEL = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)

# statement -> (lock mode, blocks, work, rule ids); a lock_timeout is set before each one.
CASES = [
    (
        "ALTER TABLE t ALTER COLUMN a TYPE bigint",
        AEL,
        "reads+writes",
        "rewrite",
        {"column-type-rewrite"},
    ),
    (
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()",
        AEL,
        "reads+writes",
        "metadata",
        set(),
    ),
    (
        "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()",
        AEL,
        "reads+writes",
        "rewrite",
        {"add-column-rewrite"},
    ),
    (
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
        AEL,
        "reads+writes",
        "rewrite",
        {"add-column-rewrite"},
    ),
    (
        "ALTER TABLE t ADD COLUMN c bigserial",
        AEL,
        "reads+writes",
        "rewrite",
        {"add-column-rewrite"},
    ),
    (
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        AEL,
        "reads+writes",
        "scan",
        {"set-not-null-scans"},
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id)",
        SRE,
        "writes",
        "scan",
        {"add-foreign-key-validates"},
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id) NOT VALID",
        SRE,
        "writes",
        "metadata",
        set(),
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)",
        AEL,
        "reads+writes",
        "scan",
        {"add-check-validates"},
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID",
        AEL,
        "reads+writes",
        "metadata",
        set(),
    ),
    ("ALTER TABLE t VALIDATE CONSTRAINT c", SUE, "nothing", "scan", set()),
    (
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)",
        AEL,
        "reads+writes",
        "index_build",
        {"unique-constraint-builds-index"},
    ),
    (
        "ALTER TABLE t ADD PRIMARY KEY (a)",
        AEL,
        "reads+writes",
        "index_build",
        {"unique-constraint-builds-index"},
    ),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i", AEL, "reads+writes", "metadata", set()),
    (
        "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX i",
        AEL,
        "reads+writes",
        "scan",
        {"primary-key-sets-not-null"},
    ),
    (
        "ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)",
        AEL,
        "reads+writes",
        "index_build",
        {"exclusion-constraint-builds-index"},
    ),
    ("CREATE INDEX i ON t (a)", S, "writes", "index_build", {"index-blocks-writes"}),
    ("CREATE INDEX CONCURRENTLY i ON t (a)", SUE, "nothing", "index_build", set()),
    ("DROP INDEX i", AEL, "reads+writes", "metadata", {"drop-index-blocks"}),
    ("DROP INDEX CONCURRENTLY i", SUE, "nothing", "metadata", set()),
    ("REINDEX TABLE t", AEL, "reads+writes", "index_build", {"reindex-blocks"}),
    ("REINDEX TABLE CONCURRENTLY t", SUE, "nothing", "index_build", set()),
    ("ALTER TABLE t DROP COLUMN a", AEL, "reads+writes", "metadata", {"destructive-change"}),
    ("DROP TABLE t", AEL, "reads+writes", "metadata", {"destructive-change"}),
    (
        "ALTER TABLE t RENAME COLUMN a TO b",
        AEL,
        "reads+writes",
        "metadata",
        {"rename-breaks-clients"},
    ),
    ("ALTER TABLE t RENAME TO u", AEL, "reads+writes", "metadata", {"rename-breaks-clients"}),
    ("ALTER TYPE mood ADD VALUE 'meh'", None, "nothing", "metadata", set()),
    ("VACUUM FULL t", AEL, "reads+writes", "rewrite", {"vacuum-full-rewrite"}),
    ("VACUUM t", SUE, "nothing", "scan", set()),
    ("CLUSTER t USING i", AEL, "reads+writes", "rewrite", {"cluster-rewrite"}),
    ("REFRESH MATERIALIZED VIEW mv", AEL, "reads+writes", "rewrite", {"refresh-matview-blocks"}),
    ("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", E, "nothing", "rewrite", set()),
    (
        "ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM (1) TO (10)",
        AEL,
        "reads+writes",
        "scan",
        {"attach-partition-scans"},
    ),
    (
        "ALTER TABLE m DETACH PARTITION m1",
        AEL,
        "reads+writes",
        "metadata",
        {"detach-partition-blocks"},
    ),
    ("ALTER TABLE m DETACH PARTITION m1 CONCURRENTLY", SUE, "nothing", "metadata", set()),
    ("LOCK TABLE t IN SHARE MODE", S, "writes", "metadata", {"explicit-lock"}),
    ("LOCK TABLE t", AEL, "reads+writes", "metadata", {"explicit-lock"}),
    ("LOCK TABLE t IN ROW SHARE MODE", RS, "nothing", "metadata", {"explicit-lock"}),
    ("LOCK TABLE t IN EXCLUSIVE MODE", E, "writes", "metadata", {"explicit-lock"}),
    ("UPDATE t SET a = 1", RE, "writes", "data_change", {"unbatched-data-change"}),
    ("DELETE FROM t", RE, "writes", "data_change", {"unbatched-data-change"}),
    ("UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000", RE, "writes", "data_change", set()),
    ("SELECT count(*) FROM t", AS, "nothing", "scan", set()),
    ("TRUNCATE t", AEL, "reads+writes", "metadata", {"destructive-change"}),
    ("ALTER TABLE t ALTER COLUMN a SET STATISTICS 500", SUE, "nothing", "metadata", set()),
    (
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        SRE,
        "writes",
        "metadata",
        set(),
    ),
    ("ALTER TABLE t SET TABLESPACE other", AEL, "reads+writes", "rewrite", {"table-rewrite"}),
    ("DO $$ BEGIN PERFORM 1; END $$", None, "nothing", "metadata", {"opaque-statement"}),
    (
        "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (1) TO (10)",
        AEL,
        "reads+writes",
        "metadata",
        set(),
    ),
    ("CREATE TABLE c (p int REFERENCES p (id))", SRE, "writes", "metadata", {"fk-without-index"}),
    ("DROP SCHEMA s CASCADE", AEL, "reads+writes", "metadata", {"destructive-change"}),
    ("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", AEL, "reads+writes", "metadata", set()),
    ("ALTER TABLE t ALTER COLUMN a DROP NOT NULL", AEL, "reads+writes", "metadata", set()),
    ("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)", SUE, "nothing", "index_build", set()),
    ("REINDEX INDEX i", AEL, "reads+writes", "index_build", {"reindex-blocks"}),
    ("ANALYZE t", SUE, "nothing", "scan", set()),
    ("INSERT INTO t SELECT * FROM u", RE, "nothing", "data_change", set()),
    ("SELECT * FROM t FOR UPDATE", RS, "nothing", "scan", set()),
]


def _statement(write_sql: Callable[..., Path], sql: str) -> tuple[dict[str, object], set[str]]:
    result = gate([write_sql(f"SET lock_timeout = '2s';\n{sql};\n")], GateOptions())
    stmt = result.statements[1]
    data = {
        "lock": stmt.classified.lock.sql_name if stmt.classified.lock else None,
        "blocks": stmt.classified.effective_blocks.label,
        "work": stmt.classified.work.value,
    }
    # the SET shares the file: that the tool may wrap the pair in a transaction is
    # test_cli's (non-transactional-with-others), not the statement's own classification
    return data, set(stmt.rules) - {"non-transactional-with-others"}


@pytest.mark.parametrize(("sql", "lock", "blocks", "work", "rules"), CASES)
def test_classification(
    write_sql: Callable[..., Path],
    sql: str,
    lock: str | None,
    blocks: str,
    work: str,
    rules: set[str],
) -> None:
    data, hit = _statement(write_sql, sql)
    assert data == {"lock": lock, "blocks": blocks, "work": work}
    assert hit == rules


def test_all_eight_lock_modes_are_modelled() -> None:
    assert [m.sql_name for m in LockMode] == [AS, RS, RE, SUE, S, SRE, E, AEL]
    assert LockMode.from_pg_locks("ShareUpdateExclusiveLock") is LockMode.SHARE_UPDATE_EXCLUSIVE


def _rules(write_sql: Callable[..., Path], text: str) -> list[tuple[int, str]]:
    analysis = analyze(load([write_sql(text)]))
    return [(c.statement.line, h.rule) for c in analysis.statements for h in c.hits]


def test_missing_lock_timeout_reported_once_before_first_share_or_stronger(
    write_sql: Callable[..., Path],
) -> None:
    text = "SELECT count(*) FROM t;\nCREATE INDEX i ON t (a);\nALTER TABLE t ADD c int;\n"
    assert sorted(_rules(write_sql, text)) == [
        (2, "index-blocks-writes"),
        (2, "missing-lock-timeout"),
    ]


def test_a_statement_refused_in_a_transaction_block_is_reported(
    write_sql: Callable[..., Path],
) -> None:
    """Inside the migration's own BEGIN, CREATE INDEX CONCURRENTLY fails the deploy
    (even on a table the transaction created); without BEGIN the script runs it in
    autocommit, as migration tools do."""
    explicit = (
        "BEGIN;\nSET LOCAL lock_timeout = '1s';\n"
        "CREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\nVACUUM t;\n"
    )
    assert _rules(write_sql, explicit) == [
        (3, "cannot-run-in-transaction"),
        (5, "non-transactional-with-others"),  # the VACUUM: most tools send one file at once
    ]
    created = "BEGIN;\nCREATE TABLE n (a int);\nCREATE INDEX CONCURRENTLY j ON n (a);\nCOMMIT;\n"
    assert _rules(write_sql, created) == [(3, "cannot-run-in-transaction")]
    assert _rules(write_sql, "CREATE INDEX CONCURRENTLY i ON t (a);\n") == []


def test_lock_timeout_zero_does_not_count(write_sql: Callable[..., Path]) -> None:
    text = "SET lock_timeout = 0;\nALTER TABLE t ADD c int;\n"
    assert _rules(write_sql, text) == [(2, "missing-lock-timeout")]


def test_not_valid_then_validate_in_one_transaction(write_sql: Callable[..., Path]) -> None:
    text = (
        "SET LOCAL lock_timeout = '1s';\n"
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT c;\n"
    )
    assert (3, "validate-in-same-transaction") in _rules(write_sql, text)


def test_validate_in_a_later_transaction_is_fine(write_sql: Callable[..., Path]) -> None:
    text = (
        "-- 1.sql\nSET LOCAL lock_timeout = '1s';\n"
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
        "-- 2.sql\nALTER TABLE t VALIDATE CONSTRAINT c;\n"
    )
    assert _rules(write_sql, text) == []


def test_table_created_in_the_same_transaction_is_never_dangerous(
    write_sql: Callable[..., Path],
) -> None:
    text = (
        "CREATE TABLE n (id int, a int);\n"
        "CREATE INDEX ON n (a);\n"
        "ALTER TABLE n ALTER COLUMN a TYPE bigint;\n"
        "ALTER TABLE n ADD PRIMARY KEY (id);\n"
    )
    assert _rules(write_sql, text) == []


def test_set_not_null_after_validated_check_is_metadata(write_sql: Callable[..., Path]) -> None:
    text = (
        "-- 1.sql\nSET lock_timeout = '1s';\n"
        "ALTER TABLE t ADD CONSTRAINT nn CHECK (a IS NOT NULL) NOT VALID;\n"
        "-- 2.sql\nALTER TABLE t VALIDATE CONSTRAINT nn;\n"
        "-- 3.sql\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
    )
    assert _rules(write_sql, text) == []


def test_work_after_access_exclusive_in_same_transaction(write_sql: Callable[..., Path]) -> None:
    text = "SET LOCAL lock_timeout = '1s';\nALTER TABLE t ADD c int;\nUPDATE t SET c = 1;\n"
    assert (3, "statement-while-locked") in _rules(write_sql, text)


def test_gate_ignore_comment_suppresses_a_rule(write_sql: Callable[..., Path]) -> None:
    text = (
        "SET lock_timeout = '1s';\n-- gate: ignore index-blocks-writes\nCREATE INDEX i ON t (a);\n"
    )
    assert _rules(write_sql, text) == []


def test_dependent_volatile_default_rewrites_but_stable_does_not(
    write_sql: Callable[..., Path],
) -> None:
    text = (
        "SET lock_timeout = '1s';\n"
        "ALTER TABLE t ADD c timestamptz DEFAULT clock_timestamp();\n"
        "ALTER TABLE t ADD d timestamptz DEFAULT CURRENT_TIMESTAMP;\n"
    )
    rules = _rules(write_sql, text)
    assert (2, "add-column-rewrite") in rules
    assert not [r for line, r in rules if line == 3 and r == "add-column-rewrite"]


def test_varchar_to_text_is_not_a_rewrite_when_the_type_is_known(
    write_sql: Callable[..., Path],
) -> None:
    text = (
        "-- 1.sql\nCREATE TABLE v (name varchar(20));\n"
        "-- 2.sql\nSET lock_timeout = '1s';\nALTER TABLE v ALTER COLUMN name TYPE text;\n"
    )
    assert _rules(write_sql, text) == []


@pytest.mark.parametrize(
    ("source", "target", "rewrites"),
    [
        ("varchar(20)", "text", False),
        ("varchar(20)", "varchar(50)", False),
        ("varchar(20)", "varchar(10)", True),
        ("text", "varchar(10)", True),
        ("text", "varchar", False),
        ("int", "bigint", True),
    ],
)
def test_type_changes_without_rewrite_when_source_known(
    write_sql: Callable[..., Path], source: str, target: str, rewrites: bool
) -> None:
    text = (
        f"-- 1.sql\nCREATE TABLE v (name {source});\n"
        f"-- 2.sql\nSET lock_timeout = '1s';\nALTER TABLE v ALTER COLUMN name TYPE {target};\n"
    )
    assert (_rules(write_sql, text) == [(5, "column-type-rewrite")]) is rewrites


def test_set_config_lock_timeout_counts(write_sql: Callable[..., Path]) -> None:
    session = "SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE t ADD c int;\n"
    local_zero = "SELECT set_config('lock_timeout', '0', true);\nALTER TABLE t ADD c int;\n"
    assert _rules(write_sql, session) == []
    assert _rules(write_sql, local_zero) == [(2, "missing-lock-timeout")]


@pytest.mark.parametrize(
    ("value", "is_set"),
    [
        ("'0.0s'", False),
        ("'0.0'", False),
        ("'0ms'", False),
        ("0", False),
        ("'00'", False),
        ("'2s'", True),
        ("'0.5s'", True),
        ("'100'", True),
        ("'1min'", True),
        ("'10ms'", True),
    ],
)
def test_lock_timeout_zero_in_any_spelling_is_no_timeout(
    write_sql: Callable[..., Path], value: str, is_set: bool
) -> None:
    text = f"SET lock_timeout = {value};\nALTER TABLE t ADD c int;\n"
    assert (_rules(write_sql, text) == []) is is_set


def test_set_local_zero_overrides_the_session_timeout_until_its_transaction_ends(
    write_sql: Callable[..., Path], staging_dsn: str
) -> None:
    import psycopg

    # what PostgreSQL does: the local 0 wins inside the transaction, the session's after
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("SET lock_timeout TO '3s'")
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = 0")
            assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)
        assert conn.execute("SHOW lock_timeout").fetchone() == ("3s",)
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = 0")
            conn.execute("SET lock_timeout = '2s'")
            assert conn.execute("SHOW lock_timeout").fetchone() == ("2s",)
    script = "SET lock_timeout TO '3s';\nSET LOCAL lock_timeout = 0;\nALTER TABLE t ADD q int;\n"
    explicit = (
        "SET lock_timeout TO '3s';\nBEGIN;\nSET LOCAL lock_timeout = 0;\nCOMMIT;\n"
        "ALTER TABLE t ADD q int;\n"
    )
    reset = (
        "BEGIN;\nSET LOCAL lock_timeout = 0;\nSET lock_timeout = '2s';\nALTER TABLE t ADD q int;\n"
    )
    assert _rules(write_sql, script) == [(3, "missing-lock-timeout")]
    assert _rules(write_sql, explicit) == []  # the local 0 ended with its transaction
    assert _rules(write_sql, reset) == []  # a later SET replaces the SET LOCAL
