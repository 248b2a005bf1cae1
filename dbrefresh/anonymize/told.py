"""verify's checks told to a progress display as each starts and ends.

verify runs in phases: the plan's checks (verify.py), then the judgement of kept
columns (verify_drift.py), which takes seconds on a big database. Both tell
`on_check(what, done, total)` the same way, and one count runs over both, so the
display neither stops while kept columns are sampled nor starts again at 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg

OnCheck = Callable[[str, int, int], None]  # (what, checks done, checks in all)
T = TypeVar("T")


class Told:
    """Tells `on_check` of each of `total` checks as it starts and as it ends, from the
    sessions' worker threads (done counts those ended)."""

    def __init__(self, on_check: OnCheck | None, total: int) -> None:
        self._on_check = on_check
        self._total = total
        self._done = 0
        self._lock = threading.Lock()

    def _tell(self, label: str, finished: bool) -> None:
        if self._on_check is not None:
            with self._lock:
                self._done += finished
                self._on_check(label, self._done, self._total)

    def task(
        self, label: str, run: Callable[[psycopg.Connection[Any]], T]
    ) -> Callable[[psycopg.Connection[Any]], T]:
        """`run`, told of as it starts and ends."""

        def told(conn: psycopg.Connection[Any]) -> T:
            self._tell(label, False)
            out = run(conn)
            self._tell(label, True)
            return out

        return told


class Phases:
    """One count over verify's phases: what a later phase tells continues the count of
    the phases before it (their checks counted done, added to its total)."""

    def __init__(self, on_check: OnCheck | None) -> None:
        self._on_check = on_check
        self._counted = 0  # the totals of the phases begun so far

    def next(self) -> OnCheck | None:
        """The on_check of the next phase (None: nothing listens)."""
        on_check = self._on_check
        if on_check is None:
            return None
        before = self._counted

        def tell(label: str, done: int, total: int) -> None:
            self._counted = before + total
            on_check(label, before + done, before + total)

        return tell
