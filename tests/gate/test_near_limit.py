"""Which measurement a near-limit warning names: the lock held or the writes it made
wait, whichever is larger, and none when both are far below or over the limit."""

from __future__ import annotations

import pytest

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.nearlimit import near_lock, near_total
from dbrefresh.gate.probe import ProbeStats
from dbrefresh.gate.trace import StatementTrace


def _statement(held: float, waited: float) -> StatementTrace:
    return StatementTrace(
        index=2,
        longest_blocking_hold=held,
        blocking_lock=("small", LockMode.ACCESS_EXCLUSIVE),
        probes=ProbeStats(write_wait=waited),
    )


def test_the_lock_held_is_named_when_it_is_the_larger() -> None:
    hit = near_lock(_statement(held=0.9, waited=0.85), max_lock=1.0)
    assert hit is not None
    assert hit.detail.startswith("ACCESS EXCLUSIVE on small held 0.90s, near the limit")


def test_the_writes_waited_are_named_when_they_waited_longer_than_the_hold() -> None:
    hit = near_lock(_statement(held=0.85, waited=0.9), max_lock=1.0)
    assert hit is not None
    assert hit.detail.startswith("writes waited 0.90s, near the limit (1s, --max-lock)")


@pytest.mark.parametrize(("held", "waited"), [(0.5, 0.4), (1.2, 0.2), (0.2, 1.2)])
def test_far_below_or_over_the_limit_is_not_near(held: float, waited: float) -> None:
    assert near_lock(_statement(held, waited), max_lock=1.0) is None


def test_total_duration_near_its_limit() -> None:
    hit = near_total(95.0, 100.0)
    assert hit is not None and "migration took 95.0s" in hit.detail
    assert near_total(50.0, 100.0) is None
