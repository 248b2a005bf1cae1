"""Runs are ordered by when they began, not by their ids, and a new run never takes an
id a journal already has. Run ids order only to the second (then by a random suffix):
two runs started within one second (the second waiting for the first's lock) could
sort the wrong way round, and `cleanup` undid their swaps in the wrong order."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from test_cleanup_runs import kill_at
from wfsupport import REPO, Production, Setup

from dbrefresh.workflow.journal import Journal

# The CLI with its first new run id given (as two runs started within one second get
# them), later ones drawn as usual.
GIVEN_RUN_ID = """
import sys
from dbrefresh.cli import main
from dbrefresh.workflow import runner

given, drawn = [sys.argv[1]], runner.new_run_id

def new_run_id(env):
    return given.pop() if given else drawn(env)

runner.new_run_id = new_run_id
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("run-order")
    s.cli("run", check=True)
    return s


def _journals(setup: Setup) -> set[str]:
    return {p.parent.name for p in (setup.state_dir / "runs").glob("*/journal.jsonl")}


def _argv(setup: Setup, run_id: str) -> list[str]:
    return [sys.executable, "-c", GIVEN_RUN_ID, run_id, "run", "--config", str(setup.config)]


def _killed_at_health_check(setup: Setup, run_id: str) -> str:
    return kill_at(
        setup,
        "health_check",
        start=lambda: subprocess.Popen(
            _argv(setup, run_id),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        ),
    )


def test_cleanup_undoes_swaps_newest_first_within_one_second(setup: Setup) -> None:
    """First began is 20000101-000000-ffff, then 20000101-000000-0000: both swapped and
    were killed at their health check. Undone in id order, the first was taken as the
    newer (superseded, not rolled back) and staging stayed on its unchecked data."""
    before = setup.refreshed_by()
    first = _killed_at_health_check(setup, "20000101-000000-ffff")
    second = _killed_at_health_check(setup, "20000101-000000-0000")
    assert (first, second) == ("20000101-000000-ffff", "20000101-000000-0000")
    cleaned = setup.cli("cleanup", check=True)
    assert f"cleaned run {first} (staging rolled back)" in cleaned.stdout, cleaned.stdout
    assert f"cleaned run {second} (staging rolled back)" in cleaned.stdout
    assert setup.refreshed_by() == before
    assert Journal(setup.state_dir, time.time).run_ids()[-2:] == [first, second]


def test_a_new_run_never_takes_an_id_a_journal_has(setup: Setup) -> None:
    """Same second, same random suffix: the second run wrote into the first's journal,
    found the first's kept copy in its way at the swap, and rolled staging back to it."""
    taken = "20000101-000001-abcd"
    subprocess.run(_argv(setup, taken), check=True, capture_output=True, cwd=REPO, timeout=300)
    assert setup.refreshed_by() == taken
    known = _journals(setup)
    again = subprocess.run(
        _argv(setup, taken), capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert again.returncode == 0, again.stdout + again.stderr
    (other,) = _journals(setup) - known
    assert other != taken
    assert setup.refreshed_by() == other
    record = Journal(setup.state_dir, time.time).read(taken)
    assert record.state == "done" and not record.rolled_back
