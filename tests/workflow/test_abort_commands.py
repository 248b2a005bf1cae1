"""SIGTERM to `rollback` and `cleanup` is answered like one to `run`: the command ends
with staging serving whole data and exit 3. Both used to die by the signal (exit 143),
leaving staging stopped or its data renamed to .failed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.backends.base import Backend

# The CLI with a SIGTERM sent to itself right after the first rename of a directory to
# `.failed` (a rollback moving staging's data aside), right after a kept `.prev`
# directory is renamed into staging's place, or at the start of the prune.
SIGTERM_AT = """
import os, signal, sys
from pathlib import Path
from dbrefresh.backends.localtarget import LocalTarget
from dbrefresh.cli import main

where, argv = sys.argv[1], sys.argv[2:]
rename, prune = Path.rename, LocalTarget.prune

def rename_then_abort(self, target):
    out = rename(self, target)
    if where == "failed" and str(target).endswith(".failed"):
        os.kill(os.getpid(), signal.SIGTERM)
    if where == "prev" and str(self).endswith(".prev"):  # kept data just put in place
        os.kill(os.getpid(), signal.SIGTERM)
    return out

def aborted_prune(self, keep):
    if where == "prune":
        os.kill(os.getpid(), signal.SIGTERM)
    return prune(self, keep)

Path.rename, LocalTarget.prune = rename_then_abort, aborted_prune
sys.exit(main(argv))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("abort-commands")
    s.cli("run", check=True)
    s.cli("run", check=True)  # one copy kept to roll back to
    return s


def _backend(setup: Setup) -> Backend:
    return load_backend(config_mod.load(setup.config))


def _cli_aborted_at(setup: Setup, where: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SIGTERM_AT, where, *args, "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )


def test_a_sigterm_mid_rollback_leaves_staging_serving_whole_data(setup: Setup) -> None:
    before = setup.refreshed_by()
    kept = _backend(setup).target.previous_runs()
    proc = _cli_aborted_at(setup, "failed", "rollback")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"the rollback of run {kept[-1]} did not happen" in proc.stderr
    assert "still kept (`dbrefresh rollback` again)" in proc.stderr
    backend = _backend(setup)
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before  # what it served when the rollback began
    assert backend.target.previous_runs() == kept  # still there to roll back to
    assert not [p for p in setup.staging.data_dir.parent.iterdir() if p.suffix == ".failed"]
    setup.cli("rollback", check=True)  # and the rollback can be done again
    assert setup.refreshed_by() != before


def test_a_sigterm_once_the_kept_data_is_in_place_journals_the_rollback(setup: Setup) -> None:
    """SIGTERM while the rollback starts staging on the kept data: staging ends on that
    data, so the journal says the run was rolled back and the error says what staging
    serves (it said only "terminated by signal SIGTERM"; status showed the run done)."""
    if not _backend(setup).target.previous_runs():
        setup.cli("run", check=True)
    before_run = setup.refreshed_by()
    [run_id] = _backend(setup).target.previous_runs()
    proc = _cli_aborted_at(setup, "prev", "rollback")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert f"the rollback of run {run_id} was done: staging serves the data it had before" in (
        proc.stderr.replace("\n", " ")
    )
    assert before_run == run_id and setup.refreshed_by() not in (None, run_id)
    assert _backend(setup).target.previous_runs() == []
    status = json.loads(setup.cli("status", "--json", check=True).stdout)
    [run] = [r for r in status["runs"] if r["run_id"] == run_id]
    assert run["rolled_back"] is True
    assert "(rolled back)" in setup.cli("status", check=True).stdout


def test_a_sigterm_during_cleanup_leaves_staging_serving(setup: Setup) -> None:
    proc = _cli_aborted_at(setup, "prune", "cleanup")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert _backend(setup).target.is_serving()
