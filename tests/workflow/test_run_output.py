"""What a run says while it runs and when it is stopped, and what `status` refuses.

Ctrl-C during a run printed only `interrupted` after seconds of silent undo (journal:
`KeyboardInterrupt:`); it now says it is undoing, then where staging stands, the summary
and `error: interrupted (Ctrl-C)`, like SIGTERM. Without a terminal (Jenkins, cron)
nothing was printed until the end; each step now starts and ends with a timestamped
line on stderr (stdout stays --json's). `status` showed an empty table, exit 0, for a
mistyped backend.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import DBREFRESH, REPO, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow.journal import Journal

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("run-output")


def test_without_a_tty_each_step_is_a_timestamped_line(setup: Setup) -> None:
    proc = setup.cli("run", "--json", check=True)
    report = json.loads(proc.stdout)  # stdout holds the result alone
    assert report["state"] == "done"
    err = proc.stderr
    assert re.search(rf"^{STAMP} run {report['run_id']}$", err, re.M), err
    for index, step in enumerate(s["name"] for s in report["steps"]):
        number = rf"\[\s*{index + 1}/11\]"
        assert re.search(rf"^{STAMP} {number} {step} started: ", err, re.M), (step, err)
        assert re.search(rf"^{STAMP} {number} {step} done in \d+\.\ds$", err, re.M), step


def _interrupt_at(setup: Setup, step: str) -> tuple[subprocess.Popen[str], str, str, str]:
    """`run` in its own process group, Ctrl-C'd (SIGINT to the group, as a terminal
    does) once `step` started: (the process, its run id, stdout, stderr)."""
    runs = setup.state_dir / "runs"
    known = set(runs.iterdir()) if runs.exists() else set()
    proc = subprocess.Popen(
        [*DBREFRESH, "run", "--config", str(setup.config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        start_new_session=True,
    )
    end = time.monotonic() + 300
    run_dir = None
    while time.monotonic() < end and proc.poll() is None:
        new = set(runs.iterdir()) - known if runs.exists() else set()
        if new:
            (run_dir,) = new
            journal = run_dir / "journal.jsonl"
            if journal.exists() and f'"step_start", "step": "{step}"' in journal.read_text():
                time.sleep(0.2)
                os.killpg(proc.pid, signal.SIGINT)
                break
        time.sleep(0.01)
    out, err = proc.communicate(timeout=300)
    assert run_dir is not None, out + err
    return proc, run_dir.name, out, err


def test_ctrl_c_during_a_run_says_it_undoes_and_where_staging_stands(setup: Setup) -> None:
    before = setup.refreshed_by()
    proc, run_id, out, err = _interrupt_at(setup, "anonymize")
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    assert re.search(rf"^{STAMP} \[ 5/11\] anonymize FAILED after .*: interrupted", err, re.M)
    assert "undoing what the run did" in err
    assert f"run {run_id}: FAILED" in out  # the summary table
    said = "interrupted (Ctrl-C); staging untouched (the run's copy was discarded)"
    assert f"error: {said}" in err
    record = Journal(setup.state_dir, time.time).read(run_id)
    assert record.state == "failed" and record.failed_step == "anonymize"
    assert record.error == said
    assert record.steps["anonymize"].error == "interrupted (Ctrl-C)"
    assert setup.refreshed_by() == before
    assert load_backend(config_mod.load(setup.config)).leftovers() == []
    status = setup.cli("status", "--json", check=True)
    (shown,) = [r for r in json.loads(status.stdout)["runs"] if r["run_id"] == run_id]
    assert shown["error"] == said


def test_status_refuses_an_unknown_backend(setup: Setup) -> None:
    text = config_text(setup).replace("backend: local", "backend: locl")
    setup.config.write_text(text)
    try:
        proc = setup.cli("status")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{setup.config}:2: backend: unknown backend 'locl'" in proc.stderr


def test_status_says_why_a_state_dir_shows_no_runs(setup: Setup, tmp_path: Path) -> None:
    missing = tmp_path / "stat_dir"
    setup.config.write_text(config_text(setup).replace("state_dir: state", f"state_dir: {missing}"))
    try:
        proc = setup.cli("status")
    finally:
        setup.write_config()
    assert proc.returncode == 0, proc.stderr
    assert f"no run recorded: state_dir {missing} does not exist" in proc.stdout
