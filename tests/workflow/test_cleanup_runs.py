"""`cleanup` after runs that died: it undoes only what still serves staging, and says
what it found."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest
from wfsupport import Production, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow.journal import Journal


def _runs(setup: Setup) -> set[str]:
    runs = setup.state_dir / "runs"
    return {p.name for p in runs.iterdir()} if runs.exists() else set()


def kill_at(
    setup: Setup,
    step: str,
    *args: str,
    start: Callable[[], subprocess.Popen[str]] | None = None,
) -> str:
    """Start `dbrefresh run` (or `start`), SIGKILL it once its journal announces `step`;
    its run id."""
    known = _runs(setup)
    proc = start() if start is not None else setup.popen("run", *args)
    marker = f'"event": "step_start", "step": "{step}"'
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        new = _runs(setup) - known
        journal = setup.state_dir / "runs" / next(iter(new), "-") / "journal.jsonl"
        if new and journal.exists() and marker in journal.read_text():
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"never reached {step}"
    (run_id,) = _runs(setup) - known
    return run_id


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("cleanup-runs")
    s.config.write_text(config_text(s).replace("keep_previous: 1", "keep_previous: 2"))
    s.cli("run", check=True)
    return s


def test_cleanup_does_not_roll_back_a_run_a_later_run_superseded(setup: Setup) -> None:
    """Run X killed at its health check (journal "running"), run Y done: staging serves
    Y. cleanup used to roll X back, throwing Y's data away."""
    x = kill_at(setup, "health_check")
    assert Journal(setup.state_dir, time.time).read(x).state == "running"
    known = _runs(setup)
    setup.cli("run", check=True)
    (y,) = _runs(setup) - known
    assert setup.refreshed_by() == y
    proc = setup.cli("cleanup", check=True)
    assert f"cleaned run {x} (not rolled back: a later run's data serves staging)" in (proc.stdout)
    assert "staging rolled back" not in proc.stdout
    assert setup.refreshed_by() == y
    assert Journal(setup.state_dir, time.time).read(x).state == "cleaned"
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []


def test_cleanup_rolls_back_a_run_killed_at_its_health_check(setup: Setup) -> None:
    before = setup.refreshed_by()
    x = kill_at(setup, "health_check")
    proc = setup.cli("cleanup", check=True)
    assert f"cleaned run {x} (staging rolled back)" in proc.stdout
    assert setup.refreshed_by() == before
