"""Signals a long command must answer by cleaning up, not by vanishing."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from dbrefresh import interrupts
from dbrefresh.errors import Aborted


@contextmanager
def terminate_as_error() -> Iterator[None]:
    """SIGTERM (a Jenkins abort, a systemd stop) and SIGHUP (a dropped SSH session)
    become an error where the command is:
    a run compensates (clone discarded, swap rolled back), masking cancels its SQL in
    flight, instead of vanishing with work still running on the server. Ctrl-C stays
    KeyboardInterrupt. None is raised inside a fork's hooks (dbrefresh.interrupts).
    SIGHUP used to kill a run outright (temporary server running, clone left on disk);
    where it is ignored (nohup) it stays ignored.

    Only the first abort counts: Jenkins and systemd signal again when a process does
    not end at once, and a repeat raised into the compensation cut it short (journal
    left "running", copies left behind) or, once the handler was gone, ended the
    process by the signal (exit 143). Repeats are ignored until the command ends."""
    aborted: list[int] = []

    def abort(exc: BaseException, signum: int) -> None:
        if aborted:
            return
        aborted.append(signum)
        interrupts.deliver(exc)

    def terminate(signum: int, _frame: object) -> None:
        abort(Aborted(f"terminated by signal {signal.Signals(signum).name}"), signum)

    def interrupt(signum: int, _frame: object) -> None:
        abort(KeyboardInterrupt(), signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    previous_hup = signal.getsignal(signal.SIGHUP)
    own_hup = previous_hup is not signal.SIG_IGN and previous_hup is not None
    if own_hup:
        signal.signal(signal.SIGHUP, terminate)
    own_int = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if own_int:  # not where SIGINT is ignored (nohup, &)
        signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        if aborted:  # the command ends with the first abort's error, exit 3 (or 130)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if own_hup:
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            if own_int:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        else:
            signal.signal(signal.SIGTERM, previous)
            if own_hup and previous_hup is not None:
                signal.signal(signal.SIGHUP, previous_hup)
            if own_int:
                signal.signal(signal.SIGINT, signal.default_int_handler)
