"""Aborts (SIGTERM) are never lost, never cut compensation short, and leave no child behind."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow.journal import Journal

# The CLI with a test-local at-fork hook that sends SIGTERM to the process from inside
# the hooks subprocess runs around its first fork once a step has started: exactly
# where the abort used to be discarded ("Exception ignored in ...").
SIGNAL_INSIDE_A_FORK = """
import glob, os, signal, sys
from dbrefresh.cli import main

state, known = sys.argv[1], set(sys.argv[2].split(","))
sent = []

def signal_inside_the_fork():
    journals = [p for p in glob.glob(state + "/runs/*/journal.jsonl") if p not in known]
    if not sent and any('"step_start"' in open(p).read() for p in journals):
        sent.append(True)
        os.kill(os.getpid(), signal.SIGTERM)

os.register_at_fork(after_in_parent=signal_inside_the_fork)
sys.exit(main(sys.argv[3:]))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("signals")
    s.cli("run", check=True)
    return s


def _journals(setup: Setup) -> list[str]:
    return sorted(str(p) for p in (setup.state_dir / "runs").glob("*/journal.jsonl"))


def _newest_run(setup: Setup, known: list[str]) -> str:
    (new,) = set(_journals(setup)) - set(known)
    return Path(new).parent.name


def _assert_untouched(setup: Setup, before: str | None) -> None:
    assert setup.refreshed_by() == before
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []
    assert backend.target.is_serving()


def test_a_sigterm_inside_a_fork_hook_aborts_the_run(setup: Setup) -> None:
    before, known = setup.refreshed_by(), _journals(setup)
    hooked = [sys.executable, "-c", SIGNAL_INSIDE_A_FORK, str(setup.state_dir), ",".join(known)]
    proc = subprocess.run(
        [*hooked, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 3, proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert "Exception ignored" not in proc.stderr
    record = Journal(setup.state_dir, time.time).read(_newest_run(setup, known))
    assert record.state == "failed"
    _assert_untouched(setup, before)
