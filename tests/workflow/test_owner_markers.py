"""Owner markers of the local backend (backends/localowner.py): whose a run's files
are when targets share a work_dir or the parent of their data directories, and how
files of an older dbrefresh (no marker) are attributed."""

from __future__ import annotations

from pathlib import Path

from dbrefresh.backends.locallayout import Layout
from dbrefresh.config import LocalBackendConfig


def _layout(root: Path, name: str) -> Layout:
    settings = LocalBackendConfig(target_data_dir=root / "pg" / name, work_dir=root / "work")
    (root / "pg").mkdir(exist_ok=True)
    (root / "pg" / f".{name}.dbrefresh.lock").touch()  # as the target's lock leaves it
    return Layout(settings, name)


def test_a_claimed_run_is_its_targets_only(tmp_path: Path) -> None:
    a, b = _layout(tmp_path, "a"), _layout(tmp_path, "b")
    b.owners.claim("20261128-010101-beef")
    b.sibling("20261128-010101-beef", "clone").mkdir()
    assert b.whose("20261128-010101-beef") == ""
    assert a.whose("20261128-010101-beef").startswith("belongs to target 'b' (")
    assert [run for run, _kind, _path in a.own_siblings()] == []
    assert [run for run, _kind, _path in b.own_siblings()] == ["20261128-010101-beef"]


def test_unmarked_files_are_ones_only_when_no_other_target_could_own_them(
    tmp_path: Path,
) -> None:
    a = _layout(tmp_path, "a")
    old = "20261128-010101-0abc"
    a.sibling(old, "clone").mkdir()
    (a.settings.work_dir / old).mkdir(parents=True)
    assert a.whose(old) == ""  # nothing else keeps files beside a
    only_work = "20261128-010101-0def"
    (a.settings.work_dir / only_work).mkdir()
    assert a.whose(only_work).startswith("no owner marker (older dbrefresh) and nothing")
    _layout(tmp_path, "b")  # another target's lock beside a's data directory
    assert "also keeps files in" in a.whose(old)
    a.owners.adopt(old)  # a run a's journal knows
    assert a.whose(old) == ""
    assert _layout(tmp_path, "b").whose(old).startswith("belongs to target 'a' (")


def test_the_marker_goes_with_the_last_of_the_run(tmp_path: Path) -> None:
    a = _layout(tmp_path, "a")
    run = "20261128-010101-1234"
    a.owners.claim(run)
    marker = a.target.parent / f".dbrefresh-{run}.owner"
    a.sibling(run, "prev").mkdir()
    a.owners.forget(run)
    assert marker.exists()  # the run directory and the kept copy remain
    (a.settings.work_dir / run / "owner").unlink()
    (a.settings.work_dir / run).rmdir()
    a.sibling(run, "prev").rmdir()
    a.owners.forget(run)
    assert not marker.exists()
