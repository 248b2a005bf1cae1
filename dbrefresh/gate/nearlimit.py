"""Measurements close to their limit: the trace runs the migration once, on an idle copy
of staging, and the same migration measured 2-3x apart between runs (cache state, the
machine's other work). A lock held 4.6 s under a 5 s limit passes by luck, not margin:
such a figure is flagged so a reviewer treats it as at the limit.
"""

from __future__ import annotations

from dbrefresh.gate.model import Hit
from dbrefresh.gate.trace import StatementTrace

NEAR = 0.8  # within 20 % of the limit
RULE = "trace-near-limit"


def _near(value: float, limit: float) -> bool:
    return NEAR * limit <= value <= limit


def near_lock(m: StatementTrace, max_lock: float) -> Hit | None:
    """The statement's blocking lock, or the writes it made wait, close to --max-lock."""
    held = m.longest_blocking_hold if m.blocking_lock is not None else 0.0
    waited = m.probes.write_wait
    if m.blocking_lock is not None and held >= waited and _near(held, max_lock):
        relation, mode = m.blocking_lock
        what = f"{mode.sql_name} on {relation} held {held:.2f}s"
    elif _near(waited, max_lock):
        what = f"writes waited {waited:.2f}s"
    else:
        return None
    return Hit(RULE, f"{what}, near the limit ({max_lock:g}s, --max-lock)")


def near_total(total: float, max_total: float) -> Hit | None:
    """The whole migration's duration close to --max-total."""
    if not _near(total, max_total):
        return None
    return Hit(RULE, f"migration took {total:.1f}s, near the limit ({max_total:g}s, --max-total)")
