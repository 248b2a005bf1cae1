"""Aborts (SIGTERM) are never lost, never cut compensation short, and leave no child behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
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

# pg_basebackup at its slowest (32 kB/s) under the CLI's SIGTERM handling.
SLOW_BASEBACKUP = """
import os, sys
from pathlib import Path
from dbrefresh.backends import localtblspc
from dbrefresh.cli.signals import terminate_as_error
from dbrefresh.demo.servers import tools
from dbrefresh.errors import DbrefreshError

try:
    with terminate_as_error():
        dsn, dest = os.environ["COPY_DSN"], Path(os.environ["COPY_DEST"])
        spaces = localtblspc.mapping(localtblspc.locations(dsn), dest.with_suffix(".tblspc"))
        tools().basebackup(dsn, dest, rate="32k", tablespaces=spaces)
except DbrefreshError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
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


def _run_until_anonymize(setup: Setup, known: list[str]) -> subprocess.Popen[str]:
    """`run` started and waited for until its journal says it is anonymizing (or it
    ended)."""
    proc = setup.popen("run")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        fresh = set(_journals(setup)) - set(known)
        if fresh and '"step": "anonymize"' in Path(fresh.pop()).read_text():
            break
        time.sleep(0.001)
    return proc


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


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def _walsenders(production: Production) -> int:
    with psycopg.connect(production.server.dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender' "
            "AND application_name = 'pg_basebackup'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_an_aborted_copy_leaves_no_pg_basebackup_and_no_password_in_argv(
    production: Production, base_dir: Path
) -> None:
    """pg_basebackup runs in a session of its own; an abort kills the whole group (its
    WAL-streaming child too) and waits. Its password goes through the environment."""
    secret = "pw-" + os.urandom(8).hex()
    dest = base_dir / "aborted-copy"
    dsn = f"{production.server.dsn()} password={secret}"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_BASEBACKUP],
        env={**os.environ, "COPY_DSN": dsn, "COPY_DEST": str(dest)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while len(_processes_mentioning(str(dest))) < 2:  # pg_basebackup and its WAL child
        assert time.monotonic() < deadline and child.poll() is None, child.communicate()
        time.sleep(0.01)
    running = _processes_mentioning(str(dest))
    assert not [p for p in running if secret in p]
    pid = int(running[0].split(":")[0])
    assert f"PGPASSWORD={secret}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    assert _walsenders(production) >= 1
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=30)
    assert child.returncode == 3, err
    assert secret not in err
    assert _processes_mentioning(str(dest)) == []
    deadline = time.monotonic() + 2
    while _walsenders(production):
        assert time.monotonic() < deadline, "a walsender outlived the aborted copy"
        time.sleep(0.05)


def test_repeated_sigterms_do_not_cut_compensation_short(setup: Setup) -> None:
    """Jenkins and systemd signal again when a process does not end at once."""
    before, known = setup.refreshed_by(), _journals(setup)
    proc = _run_until_anonymize(setup, known)
    while proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.005)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    journal = Journal(setup.state_dir, time.time)
    run_id = _newest_run(setup, known)
    assert journal.read(run_id).state == "failed"
    assert "compensation_failed" not in [e["event"] for e in journal.events(run_id)]
    _assert_untouched(setup, before)


# The CLI with staging's prune aborted by a SIGTERM (sent at its start), in the final
# cleanup step: the refresh itself is complete.
SIGTERM_WHILE_PRUNING = """
import os, signal, sys
from dbrefresh.backends.localtarget import LocalTarget
from dbrefresh.cli import main

prune = LocalTarget.prune

def aborted_prune(self, keep):
    os.kill(os.getpid(), signal.SIGTERM)
    return prune(self, keep)

LocalTarget.prune = aborted_prune
sys.exit(main(sys.argv[1:]))
"""


def test_an_abort_in_the_final_cleanup_step_is_a_warning_on_a_done_refresh(
    setup: Setup,
) -> None:
    known = _journals(setup)
    proc = subprocess.run(
        [sys.executable, "-c", SIGTERM_WHILE_PRUNING, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning: clean-up incomplete" in proc.stdout
    assert "terminated by signal SIGTERM" in proc.stdout
    run_id = _newest_run(setup, known)
    assert Journal(setup.state_dir, time.time).read(run_id).state == "done"
    assert setup.refreshed_by() == run_id
    backend = load_backend(config_mod.load(setup.config))
    assert len(backend.target.previous_runs()) == 2  # one more than keep_previous
    setup.cli("cleanup", check=True)
    assert len(backend.target.previous_runs()) == 1
    assert backend.leftovers() == []
    assert setup.refreshed_by() == run_id


def test_a_hangup_during_anonymize_undoes_the_run_like_sigterm(setup: Setup) -> None:
    """A dropped SSH session (SIGHUP) killed the run outright: the temporary server kept
    running and the clone stayed on disk until `cleanup`."""
    before, known = setup.refreshed_by(), _journals(setup)
    proc = _run_until_anonymize(setup, known)
    proc.send_signal(signal.SIGHUP)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err
    assert "terminated by signal SIGHUP" in err
    run_id = _newest_run(setup, known)
    assert Journal(setup.state_dir, time.time).read(run_id).state == "failed"
    assert _processes_mentioning(run_id) == []  # no temporary server left running
    assert [s for s in setup.siblings() if run_id in s] == []  # no clone left
    _assert_untouched(setup, before)
