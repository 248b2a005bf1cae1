"""A first abort while a failure is being undone does not cut the undo short, and an
abort once the health check passed leaves a done refresh done."""

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

# The CLI with its health check failing and a signal sent to itself as the rollback
# that undoes the swap begins: an error (the compensation rolls back) or a "no" (the
# health check step rolls back itself, then the compensation runs).
SIGNAL_DURING_THE_ROLLBACK = """
import os, signal, sys
from dbrefresh.backends.localtarget import LocalTarget
from dbrefresh.cli import main
from dbrefresh.errors import InfraError
from dbrefresh.workflow import health

failure, signum = sys.argv[1], getattr(signal, sys.argv[2])
rollback = LocalTarget.rollback

def failing_check(*args, **kwargs):
    if failure == "verdict":
        return health.HealthResult(False, ["injected: smoke query said no"])
    raise InfraError("injected: staging refused the smoke queries")

def signalled_rollback(self, run_id):
    os.kill(os.getpid(), signum)
    return rollback(self, run_id)

health.check = failing_check
LocalTarget.rollback = signalled_rollback
sys.exit(main(sys.argv[3:]))
"""

# The CLI with a SIGTERM sent to itself from the reporter once the health check passed:
# as the cleanup step starts (after its journal line, before the step's own `try`), or
# as the health check's success is reported.
SIGTERM_FROM_THE_REPORTER = """
import os, signal, sys
from dbrefresh.cli import main
from dbrefresh.cli.refresh import RichReporter

hook, step_name = sys.argv[1], sys.argv[2]
original = getattr(RichReporter, hook)

def signalling(self, index, step, *args):
    if step.name == step_name:
        os.kill(os.getpid(), signal.SIGTERM)
    return original(self, index, step, *args)

setattr(RichReporter, hook, signalling)
sys.exit(main(sys.argv[3:]))
"""

# The CLI with its health check failing and a SIGTERM sent to itself as the failure is
# handed to the compensation: in the run's own bookkeeping, before the undo has begun.
SIGTERM_BEFORE_THE_COMPENSATION = """
import os, signal, sys
from dbrefresh.cli import main
from dbrefresh.errors import InfraError
from dbrefresh.workflow import failing, health

def failing_check(*args, **kwargs):
    raise InfraError("injected: staging refused the smoke queries")

end_failed_step = failing.end_failed_step

def signalled_first(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return end_failed_step(*args, **kwargs)

health.check = failing_check
failing.end_failed_step = signalled_first
sys.exit(main(sys.argv[1:]))
"""

# The CLI with its health check failing and the run's copy refusing to be removed.
COPY_NOT_REMOVED = """
import sys
from dbrefresh.backends.local import LocalBackend
from dbrefresh.cli import main
from dbrefresh.errors import InfraError
from dbrefresh.workflow import health

def failing_check(*args, **kwargs):
    raise InfraError("injected: staging refused the smoke queries")

def failing_discard(self, run_id):
    raise InfraError("injected: the copy would not go")

health.check = failing_check
LocalBackend.discard = failing_discard
sys.exit(main(sys.argv[1:]))
"""

# The CLI with the run journal unwritable from the swap on (a full or read-only state_dir).
JOURNAL_LOST_AT_THE_SWAP = """
import sys
from dbrefresh.cli import main
from dbrefresh.errors import InfraError
from dbrefresh.workflow.journal import Journal

append = Journal.append
lost = []

def failing_append(self, run_id, event, **data):
    if lost or (event == "step_done" and data.get("step") == "swap"):
        lost.append(event)
        raise InfraError("cannot write the run journal: injected")
    return append(self, run_id, event, **data)

Journal.append = failing_append
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("abort-undo")
    s.cli("run", check=True)
    return s


def _journals(setup: Setup) -> set[str]:
    return {p.parent.name for p in (setup.state_dir / "runs").glob("*/journal.jsonl")}


def _cli(setup: Setup, script: str, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    known = _journals(setup)
    proc = subprocess.run(
        [sys.executable, "-c", script, *args, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    (run_id,) = _journals(setup) - known
    return proc, run_id


TERMINATED = "terminated by signal SIGTERM"
REFUSED = "injected: staging refused the smoke queries"
SAID_NO = "health check failed; staging rolled back to its previous data:\n  injected: smoke"


@pytest.mark.parametrize(
    ("failure", "signame", "code", "said", "failed"),
    [
        ("error", "SIGTERM", 3, TERMINATED, REFUSED),
        ("error", "SIGINT", 130, "interrupted (Ctrl-C)", REFUSED),
        ("verdict", "SIGTERM", 3, TERMINATED, SAID_NO),
    ],
)
def test_a_first_abort_during_the_rollback_of_a_failure_lets_the_rollback_finish(
    setup: Setup, failure: str, signame: str, code: int, said: str, failed: str
) -> None:
    before = setup.refreshed_by()
    assert before is not None
    proc, run_id = _cli(setup, SIGNAL_DURING_THE_ROLLBACK, failure, signame)
    assert proc.returncode == code, proc.stdout + proc.stderr
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before  # staging serves its old data
    assert setup.query("SELECT count(*) > 0 FROM customers") == [(True,)]
    assert backend.leftovers() == []
    journal = Journal(setup.state_dir, time.time)
    record = journal.read(run_id)
    assert record.state == "failed" and record.failed_step == "health_check"
    assert record.error is not None and said in record.error
    events = [e["event"] for e in journal.events(run_id)]
    assert "rolled_back" in events and "compensated" in events
    assert "compensation_failed" not in events
    # both the abort and the failure it arrived during are reported
    assert said in proc.stderr
    assert failed in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_abort_between_a_failure_and_its_compensation_waits_for_the_rollback(
    setup: Setup,
) -> None:
    before = setup.refreshed_by()
    proc, run_id = _cli(setup, SIGTERM_BEFORE_THE_COMPENSATION)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before  # rolled back to staging's previous data
    assert backend.leftovers() == []
    journal = Journal(setup.state_dir, time.time)
    record = journal.read(run_id)
    assert record.state == "failed" and record.failed_step == "health_check"
    events = [e["event"] for e in journal.events(run_id)]
    assert "rolled_back" in events and "compensated" in events
    assert TERMINATED in proc.stderr and REFUSED in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("hook", "step"), [("step_started", "cleanup"), ("step_done", "health_check")]
)
def test_an_abort_once_the_health_check_passed_ends_the_refresh_done(
    setup: Setup, hook: str, step: str
) -> None:
    proc, run_id = _cli(setup, SIGTERM_FROM_THE_REPORTER, hook, step)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning: clean-up incomplete" in proc.stdout
    assert "terminated by signal SIGTERM" in proc.stdout
    record = Journal(setup.state_dir, time.time).read(run_id)
    assert record.state == "done"
    assert not record.rolled_back
    assert setup.refreshed_by() == run_id  # staging keeps serving this run's data
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving()
    setup.cli("cleanup", check=True)  # what the clean-up left, `cleanup` finishes
    assert backend.leftovers() == []
    assert setup.refreshed_by() == run_id
    assert Path(setup.staging.data_dir).exists()


def test_a_copy_the_undo_could_not_remove_is_named_with_the_way_to_remove_it(
    setup: Setup,
) -> None:
    """It holds production's data, maybe unmasked: the run said only its first error."""
    before = setup.refreshed_by()
    proc, run_id = _cli(setup, COPY_NOT_REMOVED)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert REFUSED in proc.stderr
    assert (
        "the run's copy of production could not be removed (injected: the copy would not go)"
        in proc.stderr
    )
    assert "run `dbrefresh cleanup` to remove it" in proc.stderr
    assert "staging rolled back: it serves the data it had before the run" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert setup.refreshed_by() == before  # rolled back all the same
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() != []  # the copy is still there, as said
    events = [e["event"] for e in Journal(setup.state_dir, time.time).events(run_id)]
    assert "rolled_back" in events and "compensation_failed" in events
    setup.cli("cleanup", check=True)
    assert backend.leftovers() == []
    assert setup.refreshed_by() == before


def test_a_journal_lost_after_the_swap_still_says_where_staging_stands(setup: Setup) -> None:
    """The rollback is known from the undo itself: the journal could not record it."""
    before = setup.refreshed_by()
    proc, _run_id = _cli(setup, JOURNAL_LOST_AT_THE_SWAP)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "cannot write the run journal: injected" in proc.stderr
    assert "staging rolled back: it serves the data it had before the run" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert setup.refreshed_by() == before
    setup.cli("cleanup", check=True)
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []
    assert setup.refreshed_by() == before
