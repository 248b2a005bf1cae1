"""Signals a long command must answer by cleaning up, not by vanishing."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from dbrefresh import interrupts
from dbrefresh.errors import InfraError


@contextmanager
def terminate_as_error() -> Iterator[None]:
    """SIGTERM (a Jenkins abort, a systemd stop) becomes an error where the command is:
    a run compensates (clone discarded, swap rolled back), masking cancels its SQL in
    flight, instead of vanishing with work still running on the server. Ctrl-C stays
    KeyboardInterrupt. Neither is raised inside a fork's hooks (dbrefresh.interrupts)."""

    def terminate(signum: int, _frame: object) -> None:
        interrupts.deliver(InfraError(f"terminated by signal {signal.Signals(signum).name}"))

    def interrupt(_signum: int, _frame: object) -> None:
        interrupts.deliver(KeyboardInterrupt())

    previous = signal.signal(signal.SIGTERM, terminate)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:  # not where SIGINT is ignored (nohup, &)
        signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
