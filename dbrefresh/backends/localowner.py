"""Which target a run's files belong to, on the local backend: owner markers.

Several targets (config files) may share one `work_dir` (one CI agent, one scratch
disk, several staging databases) and keep their data directories in one parent
(`/var/lib/postgresql/15/{a,b}`); their runs' files then sit side by side, named after
run ids alone. `cleanup` removed every directory it found in `work_dir` (another
target's live run lost its socket directory, its dead run's log went) and everything
named `.dbrefresh-*` beside staging's data (another target's temporary server stopped,
its clone deleted, its kept copies pruned or served as this staging's data).

So a run marks its files as it begins, before it creates any: `.dbrefresh-RUN.owner`
beside staging's data directory (it stays as long as anything of the run does there:
kept copies outlive the run) and `work_dir/RUN/owner`, both naming the target by its
data directory (what its lock stands for: two configs of one data directory are one
target) and by its name, for messages. A run with another target's marker is never
touched.

A run of an older dbrefresh has no marker. The workflow first marks the runs its own
journal knows (`adopt`). Any other unmarked run counts as this target's only when
nothing else could own it: its files lie beside this staging's data directory and no
other target keeps files there (no other target's lock file or marker). A `work_dir`
entry with nothing beside staging's data directory cannot be told apart from another
target's: it is left alone, and said so.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dbrefresh.errors import InfraError

PREFIX = ".dbrefresh-"
OWNER = "owner"
# the lock of each target beside its data directory (workflow/lock.py lock_location)
_LOCK = re.compile(r"^\.(?P<name>.+)\.dbrefresh\.lock$")
_MARKER = re.compile(r"^\.dbrefresh-(?P<run>[A-Za-z0-9_-]+)\.owner$")


@dataclass(frozen=True)
class Owner:
    data_dir: str  # the target's identity (resolved)
    name: str  # the target's name in its config (messages only)

    def describe(self) -> str:
        return f"target {self.name!r} ({self.data_dir})" if self.name else f"target {self.data_dir}"


def identity(data_dir: Path) -> str:
    return os.path.realpath(data_dir)


def parent_marker(data_dir: Path, run_id: str) -> Path:
    return data_dir.parent / f"{PREFIX}{run_id}.{OWNER}"


def read(path: Path) -> Owner | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("data_dir"), str):
        return None
    return Owner(str(data["data_dir"]), str(data.get("target", "")))


def write(path: Path, owner: Owner) -> None:
    """Write a marker atomically (a kill leaves the old file or none) and durably."""
    partial = path.with_name(path.name + ".partial")
    text = json.dumps({"data_dir": owner.data_dir, "target": owner.name}) + "\n"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)


@dataclass(frozen=True)
class Owners:
    """The owner markers of one target (its data directory, its work_dir)."""

    data_dir: Path
    work_dir: Path
    name: str = ""

    @property
    def me(self) -> Owner:
        return Owner(identity(self.data_dir), self.name)

    def work_marker(self, run_id: str) -> Path:
        return self.work_dir / run_id / OWNER

    def markers(self, run_id: str) -> list[Path]:
        return [parent_marker(self.data_dir, run_id), self.work_marker(run_id)]

    def marked(self, run_id: str) -> Owner | None:
        for path in self.markers(run_id):
            if (owner := read(path)) is not None:
                return owner
        return None

    def entries(self, run_id: str) -> list[Path]:
        """What of run_id lies beside staging's data directory (its owner marker aside)."""
        parent = self.data_dir.parent
        if not parent.is_dir():
            return []
        start, marker = f"{PREFIX}{run_id}.", parent_marker(self.data_dir, run_id).name
        return [
            p
            for p in parent.iterdir()
            if p.name.startswith(start) and p.name not in (marker, marker + ".partial")
        ]

    def other_data_dirs(self) -> list[Path]:
        """Other targets' data directories beside this one (their lock files name them):
        their tablespace directories are theirs, never "unlinked" leftovers."""
        parent = self.data_dir.parent
        if not parent.is_dir():
            return []
        return sorted(
            parent / m.group("name")
            for entry in parent.iterdir()
            if (m := _LOCK.match(entry.name)) and m.group("name") != self.data_dir.name
        )

    def others_beside(self) -> list[str]:
        """Other targets that keep files beside staging's data directory (their locks,
        their runs' markers)."""
        parent = self.data_dir.parent
        if not parent.is_dir():
            return []
        mine, found = identity(self.data_dir), set()
        for entry in parent.iterdir():
            if (lock := _LOCK.match(entry.name)) and lock.group("name") != self.data_dir.name:
                found.add(f"target {parent / lock.group('name')}")
            elif _MARKER.match(entry.name) and (owner := read(entry)) and owner.data_dir != mine:
                found.add(owner.describe())
        return sorted(found)

    def whose(self, run_id: str) -> str:
        """ "" when run_id's files are this target's, else why they are left alone."""
        owner = self.marked(run_id)
        if owner is not None:
            mine = owner.data_dir == identity(self.data_dir)
            return "" if mine else f"belongs to {owner.describe()}"
        if not self.entries(run_id):
            if not (self.work_dir / run_id).exists():
                return ""  # nothing of it anywhere: nothing to protect
            return (
                "no owner marker (older dbrefresh) and nothing of it beside staging's data "
                "directory: another target sharing work_dir may own it"
            )
        if others := self.others_beside():
            return (
                f"no owner marker (older dbrefresh) and {', '.join(others)} also keeps "
                f"files in {self.data_dir.parent}"
            )
        return ""

    def claim(self, run_id: str, *, work: bool = True) -> None:
        """Mark run_id as this target's, before it creates anything (idempotent: a
        resumed run marks what an older dbrefresh left unmarked); `work`: in work_dir
        too (a run's; not a set-aside staging directory's)."""
        if (owner := self.marked(run_id)) is not None and owner.data_dir != self.me.data_dir:
            raise InfraError(f"run {run_id}'s files belong to {owner.describe()}: not touched")
        paths = self.markers(run_id) if work else self.markers(run_id)[:1]
        for path in paths:
            if read(path) is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                write(path, self.me)

    def adopt(self, run_id: str) -> None:
        """Mark what is left of run_id (a run this target's journal knows) where an older
        dbrefresh left it unmarked; never a file another target marked."""
        if self.marked(run_id) is not None:
            return
        if self.entries(run_id):
            write(parent_marker(self.data_dir, run_id), self.me)
        if self.work_marker(run_id).parent.is_dir():
            write(self.work_marker(run_id), self.me)

    def forget(self, run_id: str) -> None:
        """Remove the marker beside staging's data once nothing of run_id is left there
        (its kept copy pruned or rolled back, its files discarded)."""
        if self.entries(run_id) or (self.work_dir / run_id).exists():
            return
        marker = parent_marker(self.data_dir, run_id)
        if (owner := read(marker)) is not None and owner.data_dir == identity(self.data_dir):
            marker.unlink(missing_ok=True)
            marker.with_name(marker.name + ".partial").unlink(missing_ok=True)

    def own_markers(self) -> list[str]:
        """Runs with a marker of this target beside staging's data directory."""
        parent = self.data_dir.parent
        if not parent.is_dir():
            return []
        mine = identity(self.data_dir)
        return sorted(
            m.group("run")
            for entry in parent.iterdir()
            if (m := _MARKER.match(entry.name)) and (o := read(entry)) and o.data_dir == mine
        )
