"""What a trace re-judges, on real PostgreSQL: rebuilds the analysis must foresee (index
expressions and predicates on a changed column), rebuilds only the trace saw, and
findings the trace did not measure (statements after a failure, rules about later
traffic) keeping their static severity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult
from dbrefresh.gate.weigh import Thresholds

SMALL = Thresholds(heavy_rows=1000, warn_rows=500)
PROBED = "trace-queries-blocked"  # a probe may or may not catch a short lock: left out


def _db(make_db: Callable[..., str], setup: str) -> str:
    dsn = make_db(prefix="gatejudged")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(setup)
        conn.execute("ANALYZE")
    return dsn


def _codes(result: GateResult, index: int | None = None) -> list[tuple[str, str]]:
    return [
        (f.finding.code, f.finding.severity.value)
        for f in result.findings
        if (index is None or f.statement == index) and f.finding.code != PROBED
    ]


USERS_TABLE = """
CREATE TABLE spree_users (id int PRIMARY KEY, email varchar(255) NOT NULL, name text);
INSERT INTO spree_users SELECT g, 'u' || g || '@example.com', 'n' || g
  FROM generate_series(1, 3000) g;
"""
USERS = (
    USERS_TABLE
    + """
CREATE UNIQUE INDEX index_spree_users_on_lower_email ON spree_users (lower(email));
CREATE INDEX index_spree_users_on_email ON spree_users (email);
CREATE INDEX index_spree_users_named ON spree_users (id) WHERE email <> '';
"""
)


@pytest.mark.parametrize("target", ["text", "varchar(320)"])
def test_a_binary_compatible_type_change_rebuilds_expression_and_partial_indexes(
    make_db: Callable[..., str], write_sql: Callable[..., Path], target: str
) -> None:
    """varchar(255) -> text keeps the table and the plain index on the column, but
    PostgreSQL rebuilds every index whose expression or predicate uses the column, under
    ACCESS EXCLUSIVE. The gate used to see a metadata-only change: PASS, no finding."""
    dsn = _db(make_db, USERS)
    path = write_sql(
        f"SET lock_timeout = '2s';\nALTER TABLE spree_users ALTER COLUMN email TYPE {target};\n"
    )

    result = gate([path], GateOptions(dsn=dsn, thresholds=SMALL))

    alter = result.statements[1]
    assert alter.weight == "heavy"  # rebuilding indexes of 3000 rows under ACCESS EXCLUSIVE
    assert result.trace is not None  # heavy, so traced
    measured = alter.trace
    assert measured is not None and measured.error is None
    # what PostgreSQL did: the two indexes rebuilt, the table and the plain index kept
    assert measured.rewritten == ["index_spree_users_named", "index_spree_users_on_lower_email"]
    [finding] = [
        f.finding for f in result.findings if f.statement == 1 and f.finding.code != PROBED
    ]
    assert finding.code == "type-change-rebuilds-index"
    assert finding.severity.value == "warning"  # measured (traced): under the lock limit
    assert "index_spree_users_named, index_spree_users_on_lower_email" in finding.message
    assert "index_spree_users_on_email" not in finding.message


def test_a_rebuild_the_trace_measured_and_no_rule_claimed_is_a_finding(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """A DO block rewrites the table: the analysis cannot see it (opaque), the trace
    does. The measured rewrite used to show only in the trace line, with no finding."""
    dsn = _db(make_db, USERS)
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "DO $$ BEGIN ALTER TABLE spree_users ALTER COLUMN id TYPE bigint; END $$;\n"
    )

    result = gate([path], GateOptions(dsn=dsn, thresholds=SMALL))

    measured = result.statements[1].trace
    assert measured is not None and "spree_users" in measured.rewritten
    found = {f.finding.code: f.finding for f in result.findings if f.statement == 1}
    assert found["opaque-statement"].severity.value == "warning"
    unclaimed = found["trace-unclaimed-rewrite"]
    assert unclaimed.severity.value == "warning"  # 3000 rows: heavy here
    assert "spree_users" in unclaimed.message and "[heavy]" in unclaimed.message


def test_a_truncate_gets_new_files_without_an_unclaimed_rewrite(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db, USERS)
    path = write_sql("SET lock_timeout = '2s';\nTRUNCATE spree_users;\n")

    result = gate([path], GateOptions(dsn=dsn, thresholds=SMALL, trace=True))

    measured = result.statements[1].trace
    assert measured is not None and "spree_users" in measured.rewritten
    assert _codes(result, 1) == [("destructive-change", "warning")]


ORDERS = """
CREATE TABLE spree_orders (id int PRIMARY KEY, number text);
INSERT INTO spree_orders SELECT g, 'R' || g FROM generate_series(1, 3000) g;
CREATE TABLE spree_line_items (id int PRIMARY KEY, order_id int, quantity int NOT NULL);
INSERT INTO spree_line_items SELECT g, g, 1 FROM generate_series(1, 3000) g;
"""


def test_statements_after_a_failure_keep_their_static_severity(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """01 fails on staging, so 02 never ran: its rewrite was not measured and must stay
    an error (it used to drop to a warning, with trace None)."""
    dsn = _db(make_db, ORDERS)
    first = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE spree_orders ADD COLUMN channel varchar NOT NULL;\n",
        "01.sql",
    )
    second = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE spree_line_items ALTER COLUMN quantity TYPE bigint;\n",
        "02.sql",
    )

    result = gate([first, second], GateOptions(dsn=dsn, thresholds=SMALL))

    assert result.trace is not None and result.trace.failed is not None
    assert result.statements[3].trace is None  # never ran
    assert ("column-type-rewrite", "error") in _codes(result, 3)
    assert ("trace-failed", "error") in _codes(result, 1)
    [note] = [n for n in result.notes if "not traced" in n]
    assert "01.sql:2" in note and "02.sql" in note and "static severity" in note


def test_a_trace_does_not_downgrade_what_it_cannot_measure(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """A NOT VALID foreign key without an index: the danger is every later DELETE on the
    referenced table scanning spree_line_items, which no trace runs. --trace used to
    turn FAIL into PASS by making it a warning."""
    dsn = _db(make_db, ORDERS)
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE spree_line_items ADD CONSTRAINT fk_order FOREIGN KEY (order_id) "
        "REFERENCES spree_orders (id) NOT VALID;\n"
    )

    static = gate([path], GateOptions(dsn=dsn, thresholds=SMALL))
    traced = gate([path], GateOptions(dsn=dsn, thresholds=SMALL, trace=True))

    assert static.trace is None and traced.trace is not None
    assert traced.statements[1].trace is not None  # it ran: the key itself is cheap
    assert _codes(static, 1) == [("fk-without-index", "error")]
    assert _codes(traced, 1) == [("fk-without-index", "error")]
    assert not static.passed and not traced.passed


def test_an_expression_index_the_migration_built_is_rebuilt_by_a_later_type_change(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """The index comes from the migration itself (staging's catalog lacks it): what
    CREATE INDEX says it uses is learned as staging's indexes are."""
    dsn = _db(make_db, USERS_TABLE)
    first = write_sql(
        "CREATE INDEX CONCURRENTLY idx_email_domain ON spree_users (split_part(email, '@', 2));\n",
        "01.sql",
    )
    second = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE spree_users ALTER COLUMN email TYPE text;\n",
        "02.sql",
    )

    result = gate([first, second], GateOptions(dsn=dsn, thresholds=SMALL))

    alter = result.statements[2]
    assert alter.trace is not None and alter.trace.rewritten == ["idx_email_domain"]
    [finding] = [
        f.finding for f in result.findings if f.statement == 2 and f.finding.code != PROBED
    ]
    assert finding.code == "type-change-rebuilds-index"
    assert "rebuilds idx_email_domain" in finding.message
