"""Syntax newer than staging's PostgreSQL: the parser carries PostgreSQL 18's grammar,
so a virtual generated column or a NOT NULL table constraint passed the parse and was
judged (a rewrite, a scan) as if an older server would run it; it refuses it instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pglast.parser import parse_sql

from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.versions import GRAMMAR, needs, newer_syntax


def _needs(sql: str) -> list[int]:
    return [major for major, _ in needs(parse_sql(sql)[0].stmt)]


def test_newer_constructs_are_recognised_and_older_ones_are_not() -> None:
    assert _needs("ALTER TABLE a ADD COLUMN n int GENERATED ALWAYS AS (length(x))") == [18]
    assert _needs("ALTER TABLE a ADD CONSTRAINT a_nn NOT NULL email NOT VALID") == [18]
    assert _needs("CREATE TABLE t (a int, CONSTRAINT t_a NOT NULL a)") == [18]
    assert _needs("ALTER TABLE a ALTER COLUMN n SET EXPRESSION AS (1)") == [17]
    merge = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE"
    assert _needs(merge) == [17]
    # what PostgreSQL 15 has
    assert _needs("ALTER TABLE a ADD COLUMN n int GENERATED ALWAYS AS (length(x)) STORED") == []
    assert _needs("ALTER TABLE a ADD COLUMN n int NOT NULL DEFAULT 0") == []
    assert _needs("CREATE TABLE t (a int NOT NULL, b int GENERATED ALWAYS AS IDENTITY)") == []
    assert _needs("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE") == []
    node = parse_sql("ALTER TABLE a ADD CONSTRAINT a_nn NOT NULL email")[0].stmt
    assert newer_syntax(node, 180001) == []
    [hit] = newer_syntax(node, 150004)
    assert "needs PostgreSQL 18 (staging runs PostgreSQL 15)" in hit.detail


def test_statically_an_error_naming_the_version_without_a_claimed_rewrite(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE accounts ADD COLUMN name_len int GENERATED ALWAYS AS (length(name));\n"
    )

    result = gate([path], GateOptions())

    assert not result.passed
    codes = [f.finding.code for f in result.findings]
    assert codes == ["newer-postgres-syntax"]  # a virtual column rewrites nothing
    assert "virtual generated column" in result.findings[0].finding.message
    assert "needs PostgreSQL 18" in result.findings[0].finding.message


def test_the_trace_says_staging_lacks_the_syntax(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE small ADD CONSTRAINT small_nn NOT NULL note;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))

    text = render(result, "text")
    assert "[newer-postgres-syntax]" in text and "(staging runs PostgreSQL 15)" in text
    failed = result.statements[1].trace
    assert failed is not None and failed.error is not None
    assert (
        f"uses syntax staging's PostgreSQL 15 does not have: the gate parsed it with "
        f"PostgreSQL {GRAMMAR}'s grammar" in failed.error
    )
