"""Targets sharing a work_dir (one CI agent, one scratch disk) or a state_dir: `cleanup`
and the next run's removal of dead runs touch only their own target's runs. `cleanup`
removed every directory in work_dir, another target's live or dead run's included, and
undid (journaled `cleaned`) every dead run of a shared state_dir."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_cleanup_runs import kill_at
from wfsupport import Production, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.backends.localpg import free_port
from dbrefresh.demo import orchestrate
from dbrefresh.demo.servers import LocalServer, tools
from dbrefresh.workflow.journal import Journal


@dataclass
class Sharing(Setup):
    """A setup whose config points at directories another setup uses too."""

    state: Path = Path()

    @property
    def state_dir(self) -> Path:
        return self.state


def _share(setup: Setup, work: Path, state: Path, name: str) -> Sharing:
    text = (
        config_text(setup)
        .replace("work_dir: work", f"work_dir: {work}")
        .replace("state_dir: state", f"state_dir: {state}")
        .replace(f"name: {setup.dir.name}", f"name: {name}")
    )
    setup.config.write_text(text)
    return Sharing(setup.dir, setup.staging, setup.config, setup.staging_password, state)


@pytest.fixture(scope="module")
def pair(make_setup: Callable[[str], Setup], production: Production) -> tuple[Setup, Setup]:
    return make_setup("shared-a"), make_setup("shared-b")


def _left(setup: Setup, run_id: str) -> set[str]:
    backend = load_backend(config_mod.load(setup.config))
    return {item.kind for item in backend.leftovers() if item.run_id == run_id}


def _b_intact(b: Setup, dead: str, work: Path) -> None:
    """What B's killed run left is all there: its temporary server still running."""
    assert (work / dead / "sock").is_dir()
    assert {"clone", "run_dir", "temp_server"} <= _left(b, dead)
    assert Journal(b.state_dir, time.time).read(dead).state == "running"


def test_cleanup_leaves_another_targets_run_in_a_shared_work_dir(
    pair: tuple[Setup, Setup],
) -> None:
    work = pair[0].dir.parent / "shared-work-1"  # (the postgres user reaches it)
    a = _share(pair[0], work, pair[0].dir / "state", "shared-a")
    b = _share(pair[1], work, pair[1].dir / "state", "shared-b")
    dead = kill_at(b, "isolate")
    proc = a.cli("cleanup", "--json", check=True)
    report = json.loads(proc.stdout)
    assert report["removed"] == [] and report["runs"] == []
    assert report["left_alone"] == [
        f"run_dir {work / dead} (belongs to target 'shared-b' ({b.staging.data_dir}))"
    ]
    _b_intact(b, dead, work)
    assert "left alone: run_dir" in a.cli("cleanup", check=True).stdout
    proc = b.cli("cleanup", check=True)
    assert f"cleaned run {dead}" in proc.stdout, proc.stdout
    assert not (work / dead).exists() and _left(b, dead) == set()
    assert not [name for name in b.siblings() if dead in name]


def test_cleanup_and_run_leave_a_run_of_another_target_in_a_shared_state_dir(
    pair: tuple[Setup, Setup],
) -> None:
    """Both configs keep the default target name: the journal tells targets apart by
    what their lock stands for (staging's data directory)."""
    work, state = pair[0].dir.parent / "shared-work-2", pair[0].dir.parent / "shared-state"
    a = _share(pair[0], work, state, "staging")
    b = _share(pair[1], work, state, "staging")
    dead = kill_at(b, "isolate")
    later = a.cli("run", check=True)
    assert dead not in later.stdout, later.stdout
    _b_intact(b, dead, work)
    status = json.loads(a.cli("status", "--json", check=True).stdout)
    assert dead not in {run["run_id"] for run in status["runs"]}
    proc = a.cli("run", "--resume", dead)
    assert proc.returncode == 2 and "is not a run of this target" in proc.stderr, proc.stderr
    proc = a.cli("cleanup", check=True)
    assert f"cleaned run {dead}" not in proc.stdout
    assert f"left alone: run {dead} (belongs to target 'staging'" in proc.stdout, proc.stdout
    _b_intact(b, dead, work)
    status = json.loads(b.cli("status", "--json", check=True).stdout)
    assert [run["state"] for run in status["runs"] if run["run_id"] == dead] == ["interrupted"]
    proc = b.cli("cleanup", check=True)
    assert f"cleaned run {dead}" in proc.stdout, proc.stdout
    assert _left(b, dead) == set() and not (work / dead).exists()
    assert Journal(state, time.time).read(dead).state == "cleaned"


@dataclass
class Beside(LocalServer):
    """A staging server whose data directory is home/name, beside others in home."""

    name: str = "data"

    @property
    def data_dir(self) -> Path:
        return self.home / self.name

    @property
    def log(self) -> Path:
        return self.home / f"{self.name}.log"


@pytest.fixture(scope="module")
def side_by_side(
    base_dir: Path, make_setup: Callable[[str], Setup], production: Production
) -> tuple[Setup, Setup]:
    """Two targets whose data directories share a parent (Debian: 15/a, 15/b); own
    work_dir and state_dir each."""
    parent = base_dir / "side-by-side"
    out = []
    for name in ("a", "b"):
        directory = base_dir / f"beside-{name}"
        (directory / "secrets").mkdir(parents=True)
        staging = Beside(parent, base_dir / "run", free_port(), tools(), name)
        orchestrate.build_staging(staging)
        password = "stg-" + secrets.token_hex(12)
        (directory / "secrets" / "seed").write_text("test-seed\n")
        (directory / "secrets" / "app").write_text(password + "\n")
        setup = Setup(directory, staging, directory / "dbrefresh.yaml", password)
        setup.write_config()
        out.append(setup)
    return out[0], out[1]


def _run(setup: Setup) -> str:
    runs = setup.state_dir / "runs"
    known = {p.name for p in runs.iterdir()} if runs.exists() else set()
    setup.cli("run", check=True)
    (run_id,) = {p.name for p in runs.iterdir()} - known
    return run_id


def test_targets_side_by_side_keep_their_own_copies_and_servers(
    side_by_side: tuple[Setup, Setup],
) -> None:
    """Beside a shared parent, cleanup stopped the other target's temporary server and
    deleted its clone, pruned its kept copies (retention counted both targets'), and a
    bare rollback served the other target's newest kept copy as this staging's data."""
    a, b = side_by_side
    parent = a.staging.data_dir.parent
    first_a = _run(a)
    first_b = _run(b)  # the newest kept copy beside the parent is b's
    dead = kill_at(b, "isolate")
    proc = a.cli("cleanup", check=True)
    assert f"left alone: clone {parent / f'.dbrefresh-{dead}.clone'} (belongs to target" in (
        proc.stdout
    ), proc.stdout
    assert {"clone", "temp_server"} <= _left(b, dead)
    kept = {f".dbrefresh-{first_a}.prev", f".dbrefresh-{first_b}.prev"}
    assert kept <= set(a.siblings())
    owner = json.loads((parent / f".dbrefresh-{first_a}.owner").read_text())
    assert owner == {"data_dir": str(a.staging.data_dir), "target": a.dir.name}
    proc = b.cli("rollback", "--run", first_a)
    assert proc.returncode == 2 and "is not this target's" in proc.stderr, proc.stderr
    proc = a.cli("rollback", check=True)
    assert f"before run {first_a}" in proc.stdout, proc.stdout
    assert f".dbrefresh-{first_b}.prev" in a.siblings()
    assert a.refreshed_by() is None  # its own stale data again
    proc = b.cli("cleanup", check=True)
    assert f"cleaned run {dead}" in proc.stdout and _left(b, dead) == set()
    proc = b.cli("rollback", check=True)
    assert f"before run {first_b}" in proc.stdout, proc.stdout
    assert not [name for name in a.siblings() if first_a in name or first_b in name]
