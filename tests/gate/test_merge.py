"""MERGE weighed like UPDATE/DELETE (unbatched-data-change): a MERGE rewriting every row of
a big table passed static, --dsn and --trace alike (the trace only said `Merge 1.55s`),
while the same UPDATE failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.findings import Finding, Severity
from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.split import load
from dbrefresh.gate.verdict import GateResult
from dbrefresh.gate.weigh import Thresholds

SMALL = Thresholds(heavy_rows=5_000, warn_rows=2_000)
RULE = "unbatched-data-change"
TABLES = """
CREATE TABLE accounts (id bigint PRIMARY KEY, plan text);
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint, kind text NOT NULL);
INSERT INTO accounts SELECT g, 'free' FROM generate_series(1, 2000) g;
INSERT INTO events SELECT g, g % 2000 + 1, 'click' FROM generate_series(1, 20000) g;
ANALYZE;
"""
ALL_ROWS = (
    "MERGE INTO events e USING accounts a ON e.account_id = a.id\n"
    "WHEN MATCHED THEN UPDATE SET kind = 'legacy_' || e.kind"
)


def _db(make_db: Callable[..., str]) -> str:
    dsn = make_db(prefix="gatemerge")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(TABLES)
    return dsn


def _changes(result: GateResult) -> list[Finding]:
    return [f.finding for f in result.findings if f.finding.code == RULE]


def test_a_merge_changing_every_row_fails_like_the_same_update(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    path = write_sql(f"SET lock_timeout = '5s';\n{ALL_ROWS};\n")

    static = gate([path], GateOptions(dsn=dsn, thresholds=SMALL))
    traced = gate([path], GateOptions(dsn=dsn, thresholds=SMALL, trace=True))

    for result in (static, traced):  # heavy by EXPLAIN, so the first one traced too
        [finding] = _changes(result)
        assert finding.severity is Severity.ERROR and not result.passed
        assert finding.message.startswith("MERGE events: changed 20,000 row(s)")
        assert "EXPLAIN estimated" in finding.message and "[heavy]" in finding.message
        merge = result.statements[1]
        assert merge.classified.kind == "MERGE" and merge.weight == "heavy"
        assert merge.trace is not None and merge.trace.rows == 20_000
    update = write_sql(
        "SET lock_timeout = '5s';\nUPDATE events e SET kind = 'legacy_' || e.kind "
        "FROM accounts a WHERE e.account_id = a.id;\n",
        "V2__update.sql",
    )
    [same] = _changes(gate([update], GateOptions(dsn=dsn, thresholds=SMALL)))
    assert same.severity is Severity.ERROR


def test_a_merge_of_a_few_rows_is_no_finding(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    path = write_sql(
        "SET lock_timeout = '5s';\n"
        "MERGE INTO events e USING (VALUES (1::bigint), (2), (3)) AS f(id) ON e.id = f.id\n"
        "WHEN MATCHED THEN DELETE;\n"
    )

    result = gate([path], GateOptions(dsn=dsn, thresholds=SMALL, trace=True))

    assert _changes(result) == [] and result.passed
    merge = result.statements[1].trace
    assert merge is not None and merge.rows == 3


def test_a_merge_that_only_inserts_is_weighed_like_insert_select(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "MERGE INTO events e USING accounts a ON e.id = a.id\n"
        "WHEN NOT MATCHED THEN INSERT (id, kind) VALUES (a.id, 'new');\n"
    )

    [merge] = analyze(load([path])).statements

    assert merge.kind == "MERGE" and merge.tables == ("events",)
    assert [h.rule for h in merge.hits] == []
