"""`dbrefresh status` tells a run that is running from one whose process died: a run
holds its target's lock for its whole life. A SIGKILLed run's journal still says
"running"; status showed it so while the lock was free."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
from test_cleanup_runs import kill_at
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.workflow.lock import TargetLock, lock_location


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("status-dead-run")


def _status(setup: Setup) -> dict[str, Any]:
    return {r["run_id"]: r for r in json.loads(setup.cli("status", "--json").stdout)["runs"]}


def _lock(setup: Setup, run_id: str, command: str) -> TargetLock:
    cfg = config_mod.load(setup.config)
    return TargetLock(*lock_location(cfg), run_id=run_id, command=command, clock=time.time)


def test_a_killed_run_a_later_run_swapped_over_is_not_resumed(setup: Setup) -> None:
    """Resuming it swapped its older snapshot in over the later run's data. (A run
    killed before its swap is ended by the next run: test_run_removes_left.py.)"""
    old = kill_at(setup, "health_check")
    later = setup.cli("run", check=True)
    # the later run says what the dead one left, and that its own swap replaced it
    assert f"warning: run {old} had died during its swap" in later.stdout, later.stdout
    assert "`dbrefresh cleanup` rolls it back" not in later.stdout
    newer = setup.refreshed_by()
    assert newer is not None and newer != old
    dead = _status(setup)[old]
    assert dead["state"] == "interrupted", dead
    assert f"run {newer} has swapped newer data into staging since" in dead["next"]
    assert "--resume" not in dead["next"].split(":")[0]
    resumed = setup.cli("run", "--resume", old)
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    assert f"run {old} cannot be resumed: run {newer} has swapped newer data" in resumed.stderr
    assert setup.refreshed_by() == newer  # staging keeps the later run's data
    setup.cli("cleanup", check=True)
    assert _status(setup)[old]["state"] == "cleaned"
    assert setup.refreshed_by() == newer


def test_a_killed_run_shows_as_interrupted_with_the_way_out(setup: Setup) -> None:
    runs = setup.state_dir / "runs"
    known = {p.parent.name for p in runs.glob("*/journal.jsonl")}
    proc = setup.popen("run")
    deadline = time.monotonic() + 240
    journal = None
    while journal is None or '"step": "isolate"' not in journal.read_text():
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        found = [p for p in runs.glob("*/journal.jsonl") if p.parent.name not in known]
        journal = found[0] if found else None
        time.sleep(0.01)
    run_id = journal.parent.name
    alive = _status(setup)[run_id]
    if proc.poll() is None:  # still running when status looked
        assert alive["state"] == "running" and "next" not in alive
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)

    dead = _status(setup)[run_id]
    assert dead["state"] == "interrupted", dead
    assert f"`dbrefresh run --resume {run_id}`" in dead["next"]
    assert "`dbrefresh cleanup`" in dead["next"]
    text = setup.cli("status", check=True).stdout
    assert "interrupted" in text and f"dbrefresh run --resume {run_id}" in text

    # the lock held by another command (a cleanup): the dead run is still not running
    with _lock(setup, "", "cleanup"):
        assert _status(setup)[run_id]["state"] == "interrupted"
    with _lock(setup, run_id, "run"):  # as a resumed run holds it: running
        assert _status(setup)[run_id]["state"] == "running"

    setup.cli("cleanup", check=True)
    assert _status(setup)[run_id]["state"] == "cleaned"
