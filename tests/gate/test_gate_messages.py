"""Messages that tell the user the next step: inline COPY data, a copy of staging
refused because other sessions use it, and trace figures that are one measurement on
an idle copy (near the limit is flagged)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.errors import InfraError, UsageError
from dbrefresh.findings import Severity
from dbrefresh.gate.run import GateOptions, _read_staging, gate
from dbrefresh.gate.split import load
from dbrefresh.gate.trace import run_trace
from dbrefresh.gate.verdict import Limits, judge

PG_DUMP_DATA = """SET lock_timeout = 5000;
COPY public.small (id, v, note) FROM stdin;
9001\t1\t\\N
9002\t2\tx
\\.
"""


def test_inline_copy_data_is_named_with_what_to_do(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(PG_DUMP_DATA)
    with psycopg.connect(staging_dsn) as conn:  # psql would load it: the data is valid
        with conn.cursor().copy("COPY small (id, v, note) FROM STDIN") as copy:
            copy.write("9001\t1\t\\N\n9002\t2\tx\n")
        conn.rollback()

    with pytest.raises(UsageError) as raised:
        gate([path], GateOptions(dsn=staging_dsn))

    message = str(raised.value)
    assert message.startswith(f"{path}:2: COPY ... FROM stdin with inline data is not supported")
    assert "INSERT" in message and "pg_dump --inserts" in message
    assert "syntax error" not in message


def test_a_real_syntax_error_after_a_copy_without_data_stays_a_syntax_error(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql("COPY small FROM '/tmp/x.csv';\nALTER TABLE small ADD COLUMN;\n")

    with pytest.raises(UsageError, match=r":2: syntax error"):
        gate([path], GateOptions())


def test_a_copy_refused_by_other_sessions_names_the_next_step(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql("ALTER TABLE small ADD COLUMN flag boolean;\n")
    with psycopg.connect(staging_dsn):  # someone else on staging
        with pytest.raises(InfraError) as raised:
            gate([path], GateOptions(dsn=staging_dsn, trace=True))
        message = str(raised.value)
        assert "pg_stat_activity" in message and "--keep" in message
        # the step it names works with the session still there
        kept = gate([path], GateOptions(dsn=staging_dsn, keep=True))
    assert kept.trace is not None and kept.trace.ran_on == "staging"


def test_measurements_near_a_limit_are_flagged_and_the_note_says_one_idle_run(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nBEGIN;\nLOCK TABLE small IN ACCESS EXCLUSIVE MODE;\n"
        "SELECT pg_sleep(0.3);\nCOMMIT;\n"
    )
    options = GateOptions(dsn=staging_dsn)
    _, analysis, sizes = _read_staging(load([path]), options)
    traced = run_trace(staging_dsn, analysis)
    lock = traced.statements[2]
    held = lock.longest_blocking_hold
    assert lock.blocking_lock is not None and held >= 0.3

    def near(limits: Limits, index: int | None) -> list[tuple[str, Severity]]:
        result = judge(analysis, sizes=sizes, trace=traced, limits=limits)
        return [
            (f.finding.message, f.finding.severity)
            for f in result.findings
            if f.finding.code == "trace-near-limit" and f.statement == index
        ]

    # the probes' writes wait about as long as the lock is held; the larger one is named
    waited = lock.probes.write_wait
    measured = max(held, waited)
    [(message, severity)] = near(Limits(max_lock_seconds=measured / 0.9), 2)
    assert severity is Severity.WARNING
    if held >= waited:
        assert f"ACCESS EXCLUSIVE on small held {held:.2f}s, near the limit" in message
    else:
        assert f"writes waited {waited:.2f}s, near the limit" in message
    assert near(Limits(max_lock_seconds=measured / 0.5), 2) == []  # far below
    over = judge(analysis, sizes=sizes, trace=traced, limits=Limits(max_lock_seconds=held * 0.9))
    assert "trace-lock-held" in {f.finding.code for f in over.findings}  # over: an error
    total = traced.total_seconds
    [(message, _)] = near(Limits(max_lock_seconds=60, max_total_seconds=total / 0.95), None)
    assert "migration took" in message and "--max-total" in message
    assert near(Limits(max_lock_seconds=60, max_total_seconds=total / 0.5), None) == []

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True))
    [where_note] = [n for n in result.notes if n.startswith("traced on a copy")]
    assert "one measurement on an idle copy" in where_note
