"""A postmaster still starting (pg_ctl killed by an abort, no pid file yet) is stopped
by the rollback before any directory moves; staging ends serving whole data."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend, localstop
from dbrefresh.backends.local import LocalBackend
from dbrefresh.workflow.journal import Journal


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("straypm")
    s.cli("run", check=True)
    return s


def _start_postmaster_directly(backend: LocalBackend, data_dir: Path) -> subprocess.Popen[bytes]:
    """What `pg_ctl start` leaves when it is killed: the postmaster, starting alone."""
    return subprocess.Popen(
        [str(backend.tools.bindir / "postgres"), "-D", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user="postgres",
        group="postgres",
        extra_groups=[],
        start_new_session=True,
        cwd="/",
    )


def test_rollback_stops_a_postmaster_that_is_still_starting(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = load_backend(config_mod.load(setup.config))
    assert isinstance(backend, LocalBackend)
    (run_id,) = Journal(setup.state_dir, time.time).run_ids()
    staging = setup.staging.data_dir
    assert setup.refreshed_by() == run_id
    backend.tools.stop(staging)
    moved_under_a_server = []
    rename = Path.rename

    def checked_rename(self: Path, target: str | Path) -> Path:
        if staging in (self, Path(target)) and localstop.postmasters(staging):
            moved_under_a_server.append(f"{self} -> {target}")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", checked_rename)
    stray = _start_postmaster_directly(backend, staging)
    try:
        backend.target.rollback(run_id)
        assert stray.wait(timeout=30) is not None  # stopped, not left running
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()
    monkeypatch.undo()
    assert moved_under_a_server == []
    assert backend.target.is_serving()
    assert setup.refreshed_by() is None  # staging's own data, before the refresh
    assert setup.query("SELECT count(*) FROM customers") == [(2,)]
    assert len(localstop.postmasters(staging)) == 1
