"""spread(): tasks over a few real sessions, results in task order, failures raised."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

import psycopg
import pytest

from dbrefresh.db import connection
from dbrefresh.spread import spread


def _backend(value: int) -> Any:
    def task(session: psycopg.Connection[Any]) -> tuple[int, int]:
        row = session.execute("SELECT %s::int, pg_backend_pid()", (value,)).fetchone()
        assert row is not None
        return row[0], row[1]

    return task


def test_tasks_share_at_most_workers_sessions_and_keep_their_order(admin_dsn: str) -> None:
    opened: list[int] = []

    def open_session() -> Any:
        opened.append(1)
        return connection(admin_dsn, autocommit=True)

    results = spread(open_session, [_backend(i) for i in range(20)], workers=3)
    assert [value for value, _ in results] == list(range(20))
    assert len({pid for _, pid in results}) <= 3 and len(opened) == 3
    assert spread(open_session, [], workers=3) == [] and len(opened) == 3


def test_a_failing_task_is_raised_with_its_sql_error(admin_dsn: str) -> None:
    def fails(session: psycopg.Connection[Any]) -> None:
        session.execute("SELECT 1 / 0")

    with pytest.raises(psycopg.errors.DivisionByZero):
        spread(
            lambda: connection(admin_dsn, autocommit=True),
            [_backend(1), fails, _backend(2)],
            workers=2,
        )


class Interrupted(Exception):
    pass


def test_an_interruption_cancels_the_running_statements(admin_dsn: str) -> None:
    """A signal turned into an exception (SIGTERM in `dbrefresh run`) must not wait for
    a long VACUUM or check to end: the sessions' statements are cancelled."""

    def sleeps(session: psycopg.Connection[Any]) -> None:
        session.execute("SELECT pg_sleep(30)")

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(1)
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            spread(
                lambda: connection(admin_dsn, autocommit=True),
                [sleeps, sleeps, sleeps],
                workers=2,
            )
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10
    with psycopg.connect(admin_dsn) as conn:
        sleeping = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' "
            "AND state = 'active'"
        ).fetchone()
    assert sleeping == (0,)
