"""SIGTERM to `rollback` and `cleanup` is answered like one to `run`: the command ends
with staging serving whole data and exit 3. Both used to die by the signal (exit 143),
leaving staging stopped or its data renamed to .failed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.backends.base import Backend

# The CLI with a SIGTERM sent to itself right after the first rename of a directory to
# `.failed` (a rollback moving staging's data aside) or at the start of the prune.
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
    backend = _backend(setup)
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before  # what it served when the rollback began
    assert backend.target.previous_runs() == kept  # still there to roll back to
    assert not [p for p in setup.staging.data_dir.parent.iterdir() if p.suffix == ".failed"]
    setup.cli("rollback", check=True)  # and the rollback can be done again
    assert setup.refreshed_by() != before


def test_a_sigterm_during_cleanup_leaves_staging_serving(setup: Setup) -> None:
    proc = _cli_aborted_at(setup, "prune", "cleanup")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert _backend(setup).target.is_serving()
