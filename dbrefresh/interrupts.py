"""Signals that become exceptions, never inside a fork.

A Python signal handler runs wherever the main thread is between two bytecodes, and
that includes the os.register_at_fork hooks subprocess runs around a fork when it has
a preexec_fn (every PostgreSQL binary gets one: the parent-death signal). An exception
raised there is discarded ("Exception ignored in ...") and, raised inside logging's
hook, leaves logging's lock held: the abort was lost, the run carried on, and the
byte search later forked from a thread and deadlocked on that lock.

Blocking the signals around a fork (pthread_sigmask) does not close this: the mask is
per thread, another thread takes the signal, and the main thread still runs the Python
handler at its next bytecode, hooks included. So handlers hand their exception to
`deliver`, which raises it at once, except inside a `spawning()` section of the main
thread, where it is kept and raised as the section ends, in ordinary code, or inside
a `held()` section (a run's compensation, and a run's own bookkeeping between its steps),
where it is kept and handed back, never raised: an abort raised into a rollback cut it
short and left staging on the new data. Inside a held section, `interruptible()` opens a
stretch (a run's step) where aborts are raised again as they arrive.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_depth = 0
_pending: BaseException | None = None


@contextmanager
def spawning() -> Iterator[None]:
    """A section (a fork and its hooks) where no signal may raise; one that arrived is
    raised when the section ends. Other threads never run signal handlers: no-op there."""
    global _depth, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _pending is not None:
            exc, _pending = _pending, None
            raise exc


@dataclass
class Hold:
    """What a `held()` section kept: the abort that arrived during it, if any."""

    kept: BaseException | None = None
    active: bool = True

    def abort(self) -> BaseException | None:
        """The abort that arrived so far (still pending while the section runs)."""
        return self.kept or (_pending if self.active else None)


@contextmanager
def held() -> Iterator[Hold]:
    """A section no signal may cut short (a run undoing a failure): an abort that
    arrives is kept in the Hold and never raised; the caller decides what it means once
    the work is done. Other threads never run signal handlers: no-op there."""
    global _depth, _pending
    hold = Hold()
    if threading.current_thread() is not threading.main_thread():
        hold.active = False
        yield hold
        return
    _depth += 1
    try:
        yield hold
    finally:
        _depth -= 1
        hold.active = False
        if _pending is not None:  # the innermost section decides what the abort means
            hold.kept, _pending = _pending, None


@contextmanager
def interruptible() -> Iterator[None]:
    """Inside a `held()` section, a stretch where an abort is raised as it arrives (a
    run's step, which its compensation then undoes); one kept before it is raised on
    entry. Outside the stretch the section holds aborts again, so none can arrive
    between a step's failure and the start of its compensation."""
    global _depth, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved, _depth = _depth, 0
    try:
        if _pending is not None:
            exc, _pending = _pending, None
            raise exc
        yield
    finally:
        _depth = saved


def deliver(exc: BaseException) -> None:
    """From a signal handler: raise `exc` now, or when the spawn section ends."""
    global _pending
    if _depth:
        if _pending is None:
            _pending = exc
        return
    if _pending is not None:  # kept by a section that ended between two bytecodes
        exc, _pending = _pending, None
    raise exc
