"""UPDATE/DELETE judged by the rows the trace saw them change, not only the planner's
guess: a misestimated WHERE (coalesce(state, '') = '' is guessed at 0.5 % of the rows)
passed, and a 3-row fix-up of a column an earlier script adds (EXPLAIN cannot plan it on
staging, so the table's size stood in) failed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.findings import Finding, Severity
from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, _read_staging, gate
from dbrefresh.gate.split import load
from dbrefresh.gate.verdict import GateResult, judge
from dbrefresh.gate.weigh import Thresholds

SMALL = Thresholds(heavy_rows=5_000, warn_rows=2_000)
RULE = "unbatched-data-change"
ORDERS = """
CREATE TYPE order_kind AS ENUM ('retail', 'wholesale');
CREATE TABLE orders (id int PRIMARY KEY, state varchar(20), kind order_kind);
INSERT INTO orders SELECT g, CASE WHEN g % 20 = 0 THEN 'paid' END, 'retail'
  FROM generate_series(1, 20000) g;
ANALYZE;
"""
MISESTIMATED = "UPDATE orders SET state = 'pending' WHERE coalesce(state, '') = ''"


def _db(make_db: Callable[..., str]) -> str:
    dsn = make_db(prefix="gaterows")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(ORDERS)
    return dsn


def _changes(result: GateResult) -> list[Finding]:
    return [f.finding for f in result.findings if f.finding.code == RULE]


def test_a_misestimated_update_is_judged_by_the_rows_the_trace_changed(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    with psycopg.connect(dsn) as conn:
        plan = conn.execute(f"EXPLAIN (FORMAT JSON) {MISESTIMATED}").fetchone()
        matching = conn.execute("SELECT count(*) FROM orders WHERE state IS NULL").fetchone()
    assert plan is not None and matching is not None
    assert plan[0][0]["Plan"]["Plans"][0]["Plan Rows"] < SMALL.warn_rows  # the guess
    assert matching[0] == 19_000  # the truth
    path = write_sql(f"SET lock_timeout = '5s';\n{MISESTIMATED};\n")

    assert _changes(gate([path], GateOptions(dsn=dsn, thresholds=SMALL))) == []  # untraced
    result = gate([path], GateOptions(dsn=dsn, thresholds=SMALL, trace=True))

    [finding] = _changes(result)
    assert finding.severity is Severity.ERROR
    assert "changed 19,000 row(s)" in finding.message
    assert "EXPLAIN estimated" in finding.message and "[heavy]" in finding.message
    assert result.statements[1].weight == "heavy"
    assert not result.passed
    statement = json.loads(render(result, "json"))["statements"][1]
    assert statement["trace"]["rows_changed"] == 19_000 and statement["weight"] == "heavy"


def _fix_up(write_sql: Callable[..., Path], first: str, second: str) -> list[Path]:
    return [
        write_sql(f"SET lock_timeout = '5s';\n{first};\n", "V1__add.sql"),
        write_sql(f"SET lock_timeout = '5s';\n{second};\n", "V2__fix.sql"),
    ]


def test_a_small_fix_up_of_a_new_column_is_not_heavy_once_measured(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    paths = _fix_up(
        write_sql,
        "ALTER TABLE orders ADD coupon_code varchar",
        "UPDATE orders SET coupon_code = 'VIP' WHERE id IN (1, 2, 3)",
    )

    result = gate(paths, GateOptions(dsn=dsn, thresholds=SMALL))

    assert result.trace is not None  # statically heavy (the table's size), so traced
    [finding] = _changes(result)
    assert finding.severity is Severity.INFO
    assert "changed 3 row(s)" in finding.message
    assert "the measurement replaced the estimate" in finding.message
    assert result.passed


def test_a_small_fix_up_with_an_enum_value_added_before_is_not_heavy(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    paths = _fix_up(
        write_sql,
        "ALTER TYPE order_kind ADD VALUE 'marketplace'",
        "UPDATE orders SET kind = 'marketplace' WHERE id = 1",
    )

    result = gate(paths, GateOptions(dsn=dsn, thresholds=SMALL))

    [finding] = _changes(result)
    assert finding.severity is Severity.INFO and "changed 1 row(s)" in finding.message
    assert result.passed


def test_a_big_change_of_a_new_column_stays_heavy_once_measured(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    paths = _fix_up(
        write_sql,
        "ALTER TABLE orders ADD coupon_code varchar",
        "UPDATE orders SET coupon_code = 'VIP' WHERE id > 10",
    )

    result = gate(paths, GateOptions(dsn=dsn, thresholds=SMALL))

    [finding] = _changes(result)
    assert finding.severity is Severity.ERROR and "changed 19,990 row(s)" in finding.message
    assert not result.passed


def test_without_a_trace_the_fallback_says_why_and_suggests_the_trace(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    paths = _fix_up(
        write_sql,
        "ALTER TABLE orders ADD coupon_code varchar",
        "UPDATE orders SET coupon_code = 'VIP' WHERE id IN (1, 2, 3)",
    )
    options = GateOptions(dsn=dsn, thresholds=SMALL)
    _, analysis, sizes = _read_staging(load(paths), options)

    result = judge(analysis, sizes=sizes, thresholds=SMALL)

    [finding] = _changes(result)
    assert finding.severity is Severity.ERROR  # the table's size stands in
    assert "EXPLAIN could not plan it on staging" in finding.message
    assert 'column "coupon_code" of relation "orders" does not exist' in finding.message
    assert "an earlier statement of the migration adds" in finding.message
    assert "--trace" in finding.message
