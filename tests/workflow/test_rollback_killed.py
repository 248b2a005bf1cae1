"""A rollback SIGKILLed midway shows in `status` with the way out, and `cleanup` says
where it stood. `status` used to show the run as before the rollback (`done`) while
staging was stopped, its data renamed to `.failed`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh.workflow.journal import Journal

# The CLI SIGKILLing itself inside the rollback: as it stops staging (nothing moved
# yet) or as it starts staging on the kept data (put in place, staging not started).
KILLED_IN_ROLLBACK = """
import os, signal, sys
from dbrefresh.backends.localtarget import LocalTarget
from dbrefresh.cli import main

where = sys.argv[1]
original = getattr(LocalTarget, where)

def killed(self):
    os.kill(os.getpid(), signal.SIGKILL)
    return original(self)

setattr(LocalTarget, where, killed)
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("rollback-killed")


def _status(setup: Setup) -> dict[str, Any]:
    return {r["run_id"]: r for r in json.loads(setup.cli("status", "--json").stdout)["runs"]}


def _killed_rollback(setup: Setup, where: str, run_id: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_IN_ROLLBACK,
            where,
            "rollback",
            "--config",
            str(setup.config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    run = _status(setup)[run_id]
    assert run["rollback"] == "interrupted", run
    assert "a rollback of this run was interrupted" in run["next"]
    assert f"`dbrefresh rollback --run {run_id}`" in run["next"]
    assert "`dbrefresh cleanup`" in run["next"]
    text = setup.cli("status", check=True).stdout
    assert "rollback interrupted" in text and "a rollback of this run was interrupted" in text


@pytest.mark.parametrize(
    ("where", "done"), [("_start", True), ("_stop", False)], ids=["kept-in-place", "not-yet"]
)
def test_a_killed_rollback_shows_in_status_and_cleanup_settles_it(
    setup: Setup, where: str, done: bool
) -> None:
    setup.cli("run", check=True)
    before = setup.refreshed_by()
    setup.cli("run", check=True)
    latest = setup.refreshed_by()
    assert latest is not None and latest != before
    _killed_rollback(setup, where, latest)

    cleaned = setup.cli("cleanup", check=True)
    stood = "once done" if done else "before it happened"
    assert f"the rollback of run {latest} had been cut short {stood}" in cleaned.stdout, (
        cleaned.stdout
    )
    assert setup.refreshed_by() == (before if done else latest)
    run = _status(setup)[latest]
    assert "rollback" not in run and "next" not in run, run
    assert Journal(setup.state_dir, time.time).read(latest).rolled_back is done
    if not done:  # the kept data is still there: the rollback can be done again
        setup.cli("rollback", "--run", latest, check=True)
        assert setup.refreshed_by() == before
        assert _status(setup)[latest]["rolled_back"] is True
