"""Spread work over a few database sessions: each worker opens one and takes the next
task from a shared queue until none is left (like `vacuumdb --jobs`).

Callers order the tasks biggest first, so the sessions finish together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import psycopg

from dbrefresh.db import LiveSessions

T = TypeVar("T")
Session = psycopg.Connection[Any]


def spread(
    open_session: Callable[[], AbstractContextManager[Session]],
    tasks: Sequence[Callable[[Session], T]],
    workers: int,
) -> list[T]:
    """Run every task on one of `workers` sessions; results in the order of `tasks`.

    The first task that raises is re-raised, and so is an interruption of the calling
    thread (a signal turned into an exception): the other sessions' statements are
    cancelled rather than waited for, and no worker takes another task.
    """
    if not tasks:
        return []
    results: dict[int, T] = {}
    queue = iter(enumerate(tasks))
    lock = threading.Lock()
    failed = threading.Event()
    live = LiveSessions()

    def work() -> None:
        with open_session() as session, live.track(session):
            while not failed.is_set():
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                index, task = item
                try:
                    results[index] = task(session)
                except BaseException:
                    failed.set()
                    raise

    count = max(1, min(workers, len(tasks)))
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work) for _ in range(count)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            failed.set()
            live.cancel_all()
            raise
    return [results[i] for i in range(len(tasks))]
