"""The trace keeps what it measured when a transaction fails, and names the lock a
statement runs under: a failure after an ALTER lost the ALTER's locks (its ACCESS
EXCLUSIVE held 0s, the probes' waits blamed on the opening SET), and a rewrite by a
second ALTER TABLE was said to hold SHARE (its index rebuild's) under ACCESS EXCLUSIVE."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from dbrefresh.gate.model import LockMode
from dbrefresh.gate.report import render
from dbrefresh.gate.run import GateOptions, gate
from dbrefresh.gate.verdict import Limits

LIMITS = Limits(max_lock_seconds=60)


def test_a_failure_keeps_the_locks_and_waits_of_the_statements_before_it(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE small ADD COLUMN total_cents bigint;\n"
        "SELECT pg_sleep(0.8);\nINSERT INTO small_missing_table VALUES (1);\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=LIMITS))

    setting, alter, _, failed = (s.trace for s in result.statements)
    assert setting is not None and alter is not None and failed is not None
    assert failed.error is not None and "small_missing_table" in failed.error
    assert alter.blocking_lock == ("small", LockMode.ACCESS_EXCLUSIVE)
    assert alter.longest_blocking_hold >= 0.7  # held until the failure rolled it back
    assert alter.probes.reads_blocked >= 2 and alter.probes.writes_blocked >= 2
    assert setting.probes.reads_blocked == setting.probes.writes_blocked == 0
    text = render(result, "text")
    [line] = [ln for ln in text.splitlines() if ln.startswith("trace:") and ":2:" in ln]
    assert "ACCESS EXCLUSIVE on small held" in line and "reads blocked" in line
    assert not [ln for ln in text.splitlines() if ln.startswith("trace:") and ":1:" in ln]


def test_a_rewrite_after_an_alter_reports_the_access_exclusive_it_runs_under(
    staging_dsn: str, write_sql: Callable[..., Path]
) -> None:
    path = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE small ADD COLUMN a int;\n"
        "ALTER TABLE small ADD COLUMN b uuid DEFAULT gen_random_uuid();\n"
    )

    result = gate([path], GateOptions(dsn=staging_dsn, trace=True, limits=LIMITS))

    rewrite = result.statements[2].trace
    assert rewrite is not None and rewrite.rewritten
    assert rewrite.blocking_lock == ("small", LockMode.ACCESS_EXCLUSIVE)
    doc = json.loads(render(result, "json"))
    assert doc["statements"][2]["trace"]["blocking_lock"] == {
        "relation": "small",
        "mode": "ACCESS EXCLUSIVE",
    }
    # an UPDATE under an earlier ALTER's lock does not take that lock over (still charged
    # to the ALTER that took it)
    update = write_sql(
        "SET lock_timeout = '2s';\nALTER TABLE small ADD COLUMN c int;\nUPDATE small SET c = 1;\n",
        "V2__update.sql",
    )
    result = gate([update], GateOptions(dsn=staging_dsn, trace=True, limits=LIMITS))
    changed = result.statements[2].trace
    assert changed is not None and changed.blocking_lock is None
