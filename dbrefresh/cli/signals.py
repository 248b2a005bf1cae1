"""Signals a long command must answer by cleaning up, not by vanishing."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from dbrefresh.errors import InfraError


@contextmanager
def terminate_as_error() -> Iterator[None]:
    """SIGTERM (a Jenkins abort, a systemd stop) becomes an error where the command is:
    a run compensates (clone discarded, swap rolled back), masking cancels its SQL in
    flight, instead of vanishing with work still running on the server."""

    def handler(signum: int, _frame: object) -> None:
        raise InfraError(f"terminated by signal {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
