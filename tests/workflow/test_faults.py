"""Fault injection: SIGKILL the refresh during each step, then resume or clean up.

The kill comes from the test, on an observable event (the journal line announcing the
step), never from a switch in the product. Whatever the step, the end state must be:
staging serving whole data (old or new), production unchanged, nothing left behind.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow.journal import Journal
from dbrefresh.workflow.lock import TargetLock, lock_location
from dbrefresh.workflow.steps import STEP_NAMES


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("faults")
    s.cli("run", check=True)
    return s


@pytest.fixture(scope="module")
def production_checksum(production: Production) -> str:
    return production.checksum()


def _journals(setup: Setup) -> set[str]:
    runs = setup.state_dir / "runs"
    return {p.name for p in runs.iterdir()} if runs.exists() else set()


def _kill_during(setup: Setup, step: str) -> tuple[str, bool]:
    """Start a run, SIGKILL it once its journal announces `step`; (run id, was killed)."""
    known = _journals(setup)
    proc = setup.popen("run")
    marker = f'"event": "step_start", "step": "{step}"'
    deadline = time.monotonic() + 240
    run_id = ""
    while time.monotonic() < deadline:
        new = _journals(setup) - known
        if new:
            run_id = new.pop()
            journal = setup.state_dir / "runs" / run_id / "journal.jsonl"
            if journal.exists() and marker in journal.read_text():
                break
        if proc.poll() is not None:
            break
        time.sleep(0.001)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    if os.environ.get("DBREFRESH_TEST_SHOW_KILLS") and run_id:
        record = Journal(setup.state_dir, time.time).read(run_id)
        print(f"\nkilled={killed} step={step} state={record.steps.get(step)}")
    assert run_id, "the run never started"
    return run_id, killed


def _postgres_on_clones(setup: Setup) -> list[str]:
    """Servers and copies on this setup's clones (other tests' runs are not ours)."""
    found = []
    where = f"{setup.staging.data_dir.parent}/.dbrefresh-"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "postgres" in cmdline and where in cmdline:
            found.append(cmdline)
    return found


def _assert_clean(setup: Setup) -> None:
    cfg = config_mod.load(setup.config)
    backend = load_backend(cfg)
    assert backend.leftovers() == []
    assert backend.target.is_serving()
    assert len(backend.target.previous_runs()) <= cfg.retention.keep_previous
    assert _postgres_on_clones(setup) == []
    lock = TargetLock(*lock_location(cfg), clock=time.time)
    assert not lock.is_held_elsewhere()


@pytest.mark.parametrize("step", STEP_NAMES)
def test_kill_then_recover(
    step: str, setup: Setup, production: Production, production_checksum: str
) -> None:
    old = setup.refreshed_by()
    assert old is not None
    run_id, killed = _kill_during(setup, step)
    index = STEP_NAMES.index(step)
    if not killed:  # the run ended before the kill could land: it must have succeeded
        assert setup.refreshed_by() == run_id
    elif index % 2 == 0:
        proc = setup.cli("run", "--resume", run_id, "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["state"] == "done"
        assert setup.refreshed_by() == run_id
    else:
        proc = setup.cli("cleanup")
        assert proc.returncode == 0, proc.stderr
        # after cleanup, staging serves either the old data or (killed during the
        # final cleanup step, health already proven) the new data, whole
        expected = {old, run_id} if step == "cleanup" else {old}
        assert setup.refreshed_by() in expected
        _assert_clean(setup)
        proc = setup.cli("run", "--json")
        assert proc.returncode == 0, proc.stderr
        assert setup.refreshed_by() == json.loads(proc.stdout)["run_id"]
    assert setup.query("SELECT count(*) FROM customers") == [(2000,)]
    _assert_clean(setup)
    assert production.checksum() == production_checksum


def test_sigterm_compensates(setup: Setup, production: Production) -> None:
    """A polite stop (Jenkins abort) mid-anonymize: the run cleans up after itself."""
    old = setup.refreshed_by()
    known = _journals(setup)
    proc = setup.popen("run")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        new = _journals(setup) - known
        journal = setup.state_dir / "runs" / (new.pop() if new else "-") / "journal.jsonl"
        if journal.exists() and '"step": "anonymize"' in journal.read_text():
            break
        time.sleep(0.001)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    assert "terminated by signal SIGTERM" in err
    assert setup.refreshed_by() == old
    _assert_clean(setup)
