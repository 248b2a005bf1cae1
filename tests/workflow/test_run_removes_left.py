"""The next `run` removes what dead or failed runs left that no rollback can need, and
says what went. It used to warn only: a killed run's temporary server and (unmasked)
clone, or a failed run's whose compensation was cut short, stayed until `cleanup`."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from test_cleanup_runs import kill_at
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow.journal import Journal

# The CLI with its isolate step failing and the compensation's discard failing too: the
# run ends "failed" with its temporary server, clone and work_dir/RUN left.
FAILED_DISCARD = """
import sys
from dbrefresh.backends.local import LocalBackend
from dbrefresh.cli import main
from dbrefresh.errors import InfraError
from dbrefresh.workflow import steps

def failing_isolate(self, ctx):
    raise InfraError("injected: isolate failed")

def failing_discard(self, run_id):
    raise InfraError("injected: discard failed")

steps.Isolate.run = failing_isolate
LocalBackend.discard = failing_discard
sys.exit(main(sys.argv[1:]))
"""
FAILED_ISOLATE = FAILED_DISCARD.replace("LocalBackend.discard = failing_discard", "")


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("run-removes-left")


def _left_by(setup: Setup, run_id: str) -> list[str]:
    backend = load_backend(config_mod.load(setup.config))
    return sorted(f"{item.kind}" for item in backend.leftovers() if item.run_id == run_id)


def test_a_run_removes_what_a_killed_run_left(setup: Setup) -> None:
    dead = kill_at(setup, "isolate")
    assert {"clone", "run_dir", "temp_server"} <= set(_left_by(setup, dead))
    later = setup.cli("run", check=True)
    assert f"run {dead} died without finishing (journaled cleaned); removed what it left: " in (
        later.stdout
    ), later.stdout
    assert f".dbrefresh-{dead}.clone" in later.stdout
    assert _left_by(setup, dead) == []
    assert not [name for name in setup.siblings() if dead in name]
    assert Journal(setup.state_dir, time.time).read(dead).state == "cleaned"


def test_a_run_removes_what_a_failed_runs_compensation_left(setup: Setup) -> None:
    runs = setup.state_dir / "runs"
    known = {p.name for p in runs.iterdir()} if runs.exists() else set()
    failed = subprocess.run(
        [sys.executable, "-c", FAILED_DISCARD, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert failed.returncode == 3, failed.stdout + failed.stderr
    (run_id,) = {p.name for p in runs.iterdir()} - known
    assert Journal(setup.state_dir, time.time).read(run_id).state == "failed"
    assert {"clone", "run_dir", "temp_server"} <= set(_left_by(setup, run_id))
    later = setup.cli("run", check=True)
    assert f"removed what run {run_id} left: clone " in later.stdout, later.stdout
    assert _left_by(setup, run_id) == []
    assert Journal(setup.state_dir, time.time).read(run_id).state == "failed"


def test_a_run_leaves_a_run_killed_in_its_swap_to_cleanup(setup: Setup) -> None:
    """Its data may still serve staging: only cleanup decides whether to roll it back.
    The run says so only while it is true: a run that swapped since said it too."""
    dead = kill_at(setup, "health_check")
    serving = f"run {dead} died during its swap: staging may still serve its data"
    failed = subprocess.run(
        [sys.executable, "-c", FAILED_ISOLATE, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert serving in failed.stdout, failed.stdout  # it failed before its swap: still true
    later = setup.cli("run", check=True)
    assert serving not in later.stdout, later.stdout
    assert f"run {dead} had died during its swap; this run's swap has replaced its data" in (
        later.stdout
    ), later.stdout
    assert Journal(setup.state_dir, time.time).read(dead).state == "running"
    proc = setup.cli("cleanup", check=True)
    assert f"cleaned run {dead} (not rolled back: a later run's data serves staging)" in (
        proc.stdout
    )


def test_a_run_resumed_from_a_new_snapshot_keeps_its_owner_marker(setup: Setup) -> None:
    """Resuming discards the killed run's files, and with them its owner marker: the run
    went on unmarked, so with another target beside staging its own cleanup left its
    work_dir/RUN ("no owner marker (older dbrefresh)")."""
    dead = kill_at(setup, "anonymize")
    other = setup.staging.data_dir.parent / ".other.dbrefresh.lock"
    other.touch()
    try:
        resumed = setup.cli("run", "--resume", dead, check=True)
    finally:
        other.unlink()
    out = resumed.stdout + resumed.stderr
    assert "clean-up incomplete" not in out and "older dbrefresh" not in out, out
    assert not (setup.dir / "work" / dead).exists()
    assert (setup.staging.data_dir.parent / f".dbrefresh-{dead}.owner").exists()
    assert f".dbrefresh-{dead}.prev" in setup.siblings()
