"""Calls of functions that are not built in, on a real PostgreSQL: wherever they appear
the statement is opaque and, with --dsn, traced; built-in calls (what dumps emit) are not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import GateResult, Limits

CALLS = [
    "INSERT INTO small SELECT 1000, 1, lock_big()::text;\n",
    "CREATE TABLE snap AS SELECT lock_big();\n",
    "SELECT lock_big() FROM small LIMIT 1;\n",
    "UPDATE small SET note = lock_big()::text WHERE id = 1;\n",
    "PREPARE p AS SELECT lock_big();\nEXECUTE p;\n",
    "CREATE TABLE fresh (id int);\nINSERT INTO fresh SELECT lock_big();\n",
]


def _codes(result: GateResult) -> set[tuple[str, str]]:
    return {(f.finding.code, f.finding.severity.value) for f in result.findings}


@pytest.fixture
def locking_dsn(staging_dsn: str) -> str:
    """Staging with a function that holds ACCESS EXCLUSIVE on big for a while."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION lock_big() RETURNS int LANGUAGE plpgsql AS "
            "$$ BEGIN LOCK TABLE big IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(0.3); "
            "RETURN 1; END $$"
        )
        conn.execute("CREATE SEQUENCE small_id_seq")
    return staging_dsn


@pytest.mark.parametrize("body", CALLS)
def test_a_user_function_call_anywhere_is_opaque_and_traced(
    locking_dsn: str, write_sql: Callable[..., Path], body: str
) -> None:
    path = write_sql("SET lock_timeout = '2s';\n" + body)

    static = gate([path], GateOptions())
    result = gate([path], GateOptions(dsn=locking_dsn, limits=Limits(max_lock_seconds=0.1)))

    assert ("opaque-statement", "warning") in _codes(static)
    assert result.trace is not None
    assert ("trace-lock-held", "error") in _codes(result)
    assert not result.passed
    held = [s.trace.blocking_lock for s in result.statements if s.trace is not None]
    assert ("big", LockMode.ACCESS_EXCLUSIVE) in held


def test_built_in_calls_are_not_opaque(locking_dsn: str, write_sql: Callable[..., Path]) -> None:
    """What pg_dump and frameworks emit: no warning, and no trace forced with --dsn."""
    path = write_sql(
        "SET lock_timeout = '2s';\n"
        "SELECT pg_catalog.setval('small_id_seq', 100, true);\n"
        "SELECT setval('small_id_seq', 101);\n"
        "SELECT nextval('small_id_seq'), now(), lower('A');\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "INSERT INTO public.small SELECT 2000, 1, md5(random()::text);\n"
    )

    static = gate([path], GateOptions())
    weighed = gate([path], GateOptions(dsn=locking_dsn))

    assert static.findings == [] and static.passed
    assert weighed.findings == [] and weighed.passed and weighed.trace is None


def test_a_traced_opaque_statement_is_not_told_to_give_the_gate_dsn(
    locking_dsn: str, write_sql: Callable[..., Path]
) -> None:
    """The hint "give the gate --dsn" is for a gate without one; traced, the statement
    was measured, and the hint says so."""
    path = write_sql("SET lock_timeout = '2s';\nSELECT lock_big();\n")

    static = gate([path], GateOptions())
    traced = gate([path], GateOptions(dsn=locking_dsn))

    def hints(result: GateResult) -> list[str]:
        return [
            f.finding.hint or "" for f in result.findings if f.finding.code == "opaque-statement"
        ]

    assert hints(static) and all("give the gate --dsn" in h for h in hints(static))
    assert hints(traced) and all("it was traced" in h for h in hints(traced))
    assert not any("--dsn" in h for h in hints(traced))
