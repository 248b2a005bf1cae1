"""Liquibase formatted SQL: each `--changeset author:id` is a transaction of its own (or
none, with runInTransaction:false), as Liquibase runs it. Read as one script, a changelog
whose NOT VALID and VALIDATE sit in two changesets was three false errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.split import load

CHANGELOG = """--liquibase formatted sql

--changeset carol:201
SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN tier smallint;

--changeset carol:202
UPDATE accounts SET tier = 1 WHERE id <= 1000;
--rollback UPDATE accounts SET tier = NULL;

--changeset carol:203
ALTER TABLE accounts ADD CONSTRAINT accounts_tier_check CHECK (tier BETWEEN 0 AND 9) NOT VALID;

--changeset carol:204
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_tier_check;
"""
NAMES = [f"changeset carol:{n}" for n in (201, 202, 203, 204)]


def test_each_changeset_is_its_own_transaction(write_sql: Callable[..., Path]) -> None:
    path = write_sql(CHANGELOG, "changelog.sql")

    scripts = load([path])
    analysis = analyze(scripts)

    assert [s.name for s in scripts] == NAMES
    assert [s.line for s in scripts] == [3, 7, 11, 14]
    assert analysis.modes == ["transaction"] * 4
    assert [c.statement.line for c in analysis.statements] == [4, 5, 8, 12, 15]
    assert gate([path], GateOptions()).findings == []  # no --dsn: static only


def test_run_in_transaction_false_runs_outside_one(write_sql: Callable[..., Path]) -> None:
    path = write_sql(
        "-- liquibase formatted sql\n"
        "--changeset bob:103 runInTransaction:false\n"
        "SET lock_timeout = '2s';\n"
        "CREATE INDEX CONCURRENTLY idx_accounts_region ON accounts (region);\n"
        "--changeset bob:104\n"
        "CREATE INDEX CONCURRENTLY idx_accounts_plan ON accounts (plan);\n",
        "changelog.sql",
    )

    analysis = analyze(load([path]))

    assert analysis.modes == ["autocommit", "transaction"]
    free, wrapped = analysis.statements[1:]
    assert [h.rule for h in free.hits] == []  # no "shares its script" advice: it is declared
    [refused] = wrapped.hits
    assert refused.rule == "cannot-run-in-transaction"
    assert "runInTransaction:false" in refused.why


def test_the_trace_commits_each_changeset(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = make_db(prefix="gateliquibase")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, name text)")
        conn.execute("INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 2000) g")
        conn.execute("ANALYZE")
    path = write_sql(CHANGELOG, "changelog.sql")

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    assert result.trace is not None and result.trace.committed == NAMES
    assert result.passed, [f.finding.render() for f in result.findings]
