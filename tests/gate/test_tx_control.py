"""DO blocks and procedures that COMMIT inside (a batched backfill, the very alternative
the gate recommends to one big UPDATE) run outside the wrapping transaction, like CREATE
INDEX CONCURRENTLY: under --wrap script the trace ran them inside one and failed with
"invalid transaction termination"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.run import GateOptions, _read_staging, gate
from dbrefresh.gate.split import load
from dbrefresh.gate.txcontrol import body_commits

ORDERS = """
CREATE TABLE shop_order (id bigint PRIMARY KEY, total numeric(12, 2) NOT NULL);
INSERT INTO shop_order SELECT g, g / 100.0 FROM generate_series(1, 3000) g;
ANALYZE;
"""
BACKFILL_DO = """SET lock_timeout = '2s';
ALTER TABLE shop_order ADD COLUMN total_cents bigint;
DO $$
DECLARE
  lo bigint := 0;
BEGIN
  LOOP
    UPDATE shop_order SET total_cents = (total * 100)::bigint WHERE id > lo AND id <= lo + 1000;
    EXIT WHEN NOT FOUND;
    lo := lo + 1000;
    COMMIT;
  END LOOP;
END
$$;
"""
PROCEDURE = """
CREATE PROCEDURE {name}() LANGUAGE plpgsql AS $$
BEGIN
  UPDATE shop_order SET total = total WHERE id <= 10;
  {end}
END $$;
"""


def _db(make_db: Callable[..., str], setup: str = "") -> str:
    dsn = make_db(prefix="gatetxctl")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(ORDERS + setup)
    return dsn


def _codes(result: object) -> list[str]:
    return [f.finding.code for f in result.findings]


def test_a_batched_do_block_runs_outside_the_wrapping_transaction(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    path = write_sql(BACKFILL_DO)

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    assert "trace-failed" not in _codes(result), result.findings
    do = result.statements[2]
    assert do.classified.kind == "DO" and not do.classified.in_transaction
    assert do.trace is not None and do.trace.error is None
    advice = [
        f.finding for f in result.findings if f.finding.code == "non-transactional-with-others"
    ]
    assert [a.location.line for a in advice] == [3]
    with psycopg.connect(dsn) as conn:  # the copy was changed, never staging
        assert conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attname = 'total_cents'"
        ).fetchone() == (0,)


def test_a_call_is_judged_by_whether_stagings_procedure_commits(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    setup = PROCEDURE.format(name="batched", end="COMMIT;") + PROCEDURE.format(
        name="plain", end="-- no COMMIT here"
    )
    dsn = _db(make_db, setup)
    batched = write_sql("SET lock_timeout = '2s';\nCALL batched();\n", "V1__batched.sql")
    plain = write_sql("SET lock_timeout = '2s';\nCALL plain();\n", "V2__plain.sql")

    _, analysis, _ = _read_staging(load([batched, plain]), GateOptions(dsn=dsn))
    result = gate([batched, plain], GateOptions(dsn=dsn, trace=True))

    assert analysis.modes == ["autocommit", "transaction"]
    assert "trace-failed" not in _codes(result), result.findings
    assert all(s.trace is not None and s.trace.error is None for s in result.statements)


def test_without_staging_a_call_may_commit(write_sql: Callable[..., Path]) -> None:
    """Unknown procedure: it runs outside the wrapping transaction; inside the migration's
    own BEGIN it is no error (it may not commit); a DO that commits there is one."""
    alone = write_sql("ALTER TABLE t ADD COLUMN c int;\nCALL app.backfill(1000);\n", "V1__a.sql")
    own_tx = write_sql("BEGIN;\nCALL app.backfill(1000);\nCOMMIT;\n", "V2__b.sql")
    do_tx = write_sql(
        "BEGIN;\nDO $$ BEGIN UPDATE t SET c = 1; COMMIT; END $$;\nCOMMIT;\n", "V3__c.sql"
    )

    analysis = analyze(load([alone, own_tx, do_tx]))

    assert analysis.modes == ["autocommit", "explicit", "explicit"]
    rules = {c.statement.index: [h.rule for h in c.hits] for c in analysis.statements}
    assert "non-transactional-with-others" in rules[1]
    assert "cannot-run-in-transaction" not in rules[3]
    assert "cannot-run-in-transaction" in rules[6]


def test_a_procedure_the_migration_creates_is_read(write_sql: Callable[..., Path]) -> None:
    path = write_sql(
        PROCEDURE.format(name="backfill", end="COMMIT;") + "CALL backfill();\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
    )

    analysis = analyze(load([path]))

    assert analysis.modes == ["autocommit"]
    call, do = analysis.statements[1:]
    assert not call.transactional and not call.may_commit and do.transactional


def test_what_counts_as_committing_in_a_body() -> None:
    assert body_commits("BEGIN COMMIT; END")
    assert body_commits("BEGIN IF true THEN ROLLBACK; END IF; END")
    assert not body_commits("BEGIN -- COMMIT later\n RAISE NOTICE 'commit'; END")
    assert body_commits("plpy.execute('x')\nplpy.commit()", "plpython3u")
    assert not body_commits("UPDATE t SET a = 1", "sql")
