"""Blocked probes charged to the statement whose lock made them wait, not to whichever
statement was running when they queued: ALTER TABLE takes ACCESS EXCLUSIVE in a
millisecond and holds it to COMMIT, so the probes used to be charged to the next,
long statement (which takes no such lock), and the ALTER was said to block nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.probe import Attempt, Probes
from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits

LIMITS = Limits(max_lock_seconds=60)


def test_waits_are_charged_to_the_statement_holding_the_lock(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE small ADD COLUMN flag boolean;\n"
        "SELECT pg_sleep(0.8);\nCOMMIT;\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=LIMITS))

    alter, sleep = result.statements[2].trace, result.statements[3].trace
    assert alter is not None and sleep is not None
    assert alter.seconds < 0.3 < sleep.seconds  # the lock is quick to take, held long
    assert alter.probes.reads_blocked >= 2 and alter.probes.read_wait >= 0.5
    assert alter.probes.writes_blocked >= 2
    assert sleep.probes.reads_blocked == sleep.probes.writes_blocked == 0
    assert sleep.probes.shadowed  # traffic did not go on while it ran
    text = render(result, "text")
    [sleep_line] = [
        line for line in text.splitlines() if line.startswith("trace:") and ":4:" in line
    ]
    assert "went on" not in sleep_line
    assert "waited on an earlier statement's lock" in sleep_line


def test_a_lock_on_a_table_no_probe_tried_is_not_said_to_let_traffic_go_on(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nUPDATE big SET note = 'x' WHERE id = 1;\n"
        "DO $$ BEGIN EXECUTE 'LOCK TABLE small IN ACCESS EXCLUSIVE MODE'; "
        "PERFORM pg_sleep(0.4); END $$;\n",
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=LIMITS))

    assert result.trace is not None and result.trace.probed == ["big"]
    block = result.statements[2].trace
    assert block is not None and block.blocking_lock is not None
    assert block.blocking_lock[0] == "small"
    [line] = [
        ln for ln in render(result, "text").splitlines() if ln.startswith("trace:") and ":3:" in ln
    ]
    assert "(small not probed)" in line


class _Recorded(Probes):
    """Probes whose attempts are given (the charging rule alone, timing fixed)."""

    def __init__(self, attempts: list[Attempt]) -> None:
        self.timeout, self.loops, self.tables, self._given = 0.05, [], ["small"], attempts

    @property
    def attempts(self) -> list[Attempt]:
        return self._given


def test_an_episode_that_began_after_the_locking_statement_ended_is_still_its() -> None:
    """The ALTER ran from 0 to 1 ms; the first blocked read queued at 10 ms, during the
    sleep: the wait is the ALTER's ACCESS EXCLUSIVE, held to COMMIT at 800 ms."""
    attempts = [
        Attempt("read", "small", 0.010, 0.060, True),
        Attempt("read", "small", 0.065, 0.115, True),
        Attempt("read", "small", 0.120, 0.805, False),
        Attempt("write", "small", 0.010, 0.805, False),
    ]
    windows = [(2, 0.0, 0.001), (3, 0.001, 0.8)]
    holders = {2: (0.8, [("small", LockMode.ACCESS_EXCLUSIVE)]), 3: (0.8, [])}

    stats = _Recorded(attempts).charge(windows, holders)

    assert stats[2].reads_blocked == 2 and stats[2].read_wait > 0.7
    assert stats[3].reads_blocked == 0 and stats[3].shadowed


def test_without_a_known_holder_the_statement_running_when_it_began_is_charged() -> None:
    """No statement is known to hold a conflicting lock (a failed transaction's, say):
    the wait is charged to the statement running when it began, not to the first one."""
    attempts = [
        Attempt("read", "small", 0.510, 0.560, True),
        Attempt("read", "small", 0.565, 0.615, True),
        Attempt("read", "small", 0.620, 0.700, False),
    ]
    windows = [(0, 0.0, 0.001), (1, 0.001, 0.002), (2, 0.002, 0.7)]

    stats = _Recorded(attempts).charge(windows, {})

    assert stats[2].reads_blocked == 2
    assert stats[0].reads_blocked == stats[1].reads_blocked == 0
