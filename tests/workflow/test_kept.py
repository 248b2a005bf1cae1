"""Staging's kept copies survive a kill while one of them is being removed.

A prune killed halfway through removing the oldest `.prev` used to leave it half
removed with a newer mtime than the whole one; `cleanup` then kept the half one and
deleted the whole one, `rollback` put staging on the half one (staging down), and the
next `cleanup` removed the `.failed` directory, the only whole copy left.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import REPO, Production, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.backends.base import Backend
from dbrefresh.backends.localkept import is_cluster

# A prune in a child process that SIGKILLs itself after its 8th file removal: the
# state a `kill -9` during the cleanup step's removal of a kept copy leaves.
KILLED_PRUNE = """
import os, signal, sys
from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend

backend = load_backend(config_mod.load(sys.argv[1]))
removed = [0]
unlink = os.unlink

def dying_unlink(*args, **kwargs):
    removed[0] += 1
    if removed[0] > 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return unlink(*args, **kwargs)

os.unlink = dying_unlink
backend.target.prune(sys.argv[2:])
"""


def _keep(setup: Setup, n: int) -> None:
    text = config_text(setup).replace("keep_previous: 1", f"keep_previous: {n}")
    setup.config.write_text(text)


def _backend(setup: Setup) -> Backend:
    return load_backend(config_mod.load(setup.config))


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    """Two runs kept with keep_previous: 2, then the config asks for 1."""
    s = make_setup("kept")
    _keep(s, 2)
    s.cli("run", check=True)
    s.cli("run", check=True)
    s.write_config()
    return s


def test_a_kill_while_pruning_keeps_the_newest_copy_whole(setup: Setup) -> None:
    beside = setup.staging.data_dir.parent
    older, newer = _backend(setup).target.previous_runs()
    newer_data = setup.refreshed_by()
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_PRUNE, str(setup.config), newer],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == -9, proc.stderr
    # the half-removed copy is named for what it is, never as a kept copy
    assert not (beside / f".dbrefresh-{older}.prev").exists()
    assert (beside / f".dbrefresh-{older}.deleting").exists()
    assert _backend(setup).target.previous_runs() == [newer]
    proc = setup.cli("cleanup")
    assert proc.returncode == 0, proc.stderr
    backend = _backend(setup)
    assert backend.leftovers() == []
    assert backend.target.previous_runs() == [newer]
    assert is_cluster(beside / f".dbrefresh-{newer}.prev")
    setup.cli("rollback", check=True)
    assert setup.refreshed_by() == older != newer_data
    assert setup.query("SELECT count(*) > 0 FROM customers") == [(True,)]
    setup.cli("run", check=True)  # back to one kept copy from a fresh refresh


def test_a_half_removed_copy_is_never_served_nor_kept(setup: Setup) -> None:
    """What an older dbrefresh left: a half-removed `.prev` under its own name, newer
    by mtime than the whole one. It is not rolled back onto, and pruned."""
    beside = setup.staging.data_dir.parent
    (kept,) = _backend(setup).target.previous_runs()
    current = setup.refreshed_by()
    half = beside / ".dbrefresh-20000101-000000-0bad.prev"
    shutil.copytree(beside / f".dbrefresh-{kept}.prev", half, symlinks=True)
    shutil.rmtree(half / "global")
    proc = setup.cli("rollback", "--run", "20000101-000000-0bad")
    assert proc.returncode == 3, proc.stderr
    assert "is not whole" in proc.stderr and "Traceback" not in proc.stderr
    assert setup.refreshed_by() == current
    assert _backend(setup).target.previous_runs() == [kept]
    setup.cli("cleanup", check=True)
    assert not half.exists()
    assert _backend(setup).target.previous_runs() == [kept]
    assert setup.refreshed_by() == current


def test_staging_on_a_half_removed_copy_gets_its_whole_data_back(setup: Setup) -> None:
    """The state the old rollback left: staging's directory is the half-removed copy,
    its whole data in `.failed`. cleanup serves the whole data before removing anything."""
    target = _backend(setup).target
    data = setup.staging.data_dir
    current = setup.refreshed_by()
    setup.staging.stop()
    failed = data.parent / ".dbrefresh-20000101-000000-0bad.failed"
    data.rename(failed)
    shutil.copytree(failed, data, symlinks=True)
    (data / "global" / "pg_control").unlink()
    (data / "postmaster.pid").unlink(missing_ok=True)
    proc = setup.cli("cleanup")
    assert proc.returncode == 0, proc.stderr
    assert "staging was not serving: started it" in proc.stdout  # not "nothing to clean up"
    said = " ".join(proc.stdout.split())  # rich wraps long lines
    assert f"staging data directory {data} was not a whole data directory (removed)" in said
    assert target.is_serving() and setup.refreshed_by() == current
    assert not failed.exists()
    assert _backend(setup).leftovers() == []
    assert [p.name for p in data.parent.iterdir() if p.name.endswith(".failed")] == []


def test_a_missing_staging_without_whole_copies_is_an_error_not_a_guess(
    setup: Setup, tmp_path: Path
) -> None:
    """Nothing whole to serve: say so (exit 3) and delete nothing."""
    data = setup.staging.data_dir
    setup.staging.stop()
    aside = data.parent / "aside"
    beside = sorted(data.parent.glob(".dbrefresh-*.prev"))
    try:
        data.rename(aside)
        for kept in beside:
            (kept / "global" / "pg_control").rename(tmp_path / kept.name)
        proc = setup.cli("cleanup")
        assert proc.returncode == 3, proc.stderr
        assert "no whole copy is kept" in proc.stderr
        assert all(kept.exists() for kept in beside)
    finally:
        for kept in beside:
            (tmp_path / kept.name).rename(kept / "global" / "pg_control")
        aside.rename(data)
        setup.staging.start()
    assert setup.refreshed_by() is not None
