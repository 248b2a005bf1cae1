"""Where the local backend's files live, beside staging's data directory D.

D/../.dbrefresh-<run>.partial   a pg_basebackup in progress
D/../.dbrefresh-<run>.clone     the clone (becomes staging's data at swap)
D/../.dbrefresh-<run>.strict    strict mode: fresh copy of the masked server
D/../.dbrefresh-<run>.prev      staging's data before <run> swapped (kept)
D/../.dbrefresh-<run>.kept      when <run>'s swap kept it (localkept.py)
D/../.dbrefresh-<run>.failed    data being rolled back (removed once staging serves)
D/../.dbrefresh-<run>.deleting  a directory being removed (cleanup finishes it)
D/../.dbrefresh-<run>.tblspc    the copy's tablespaces, if production has any
                                (localtblspc.py: they follow their data directory)
D/../.dbrefresh-<run>.owner     the target the run belongs to (localowner.py)
work_dir/<run>/                 owner marker, socket directory, hba file, server log, port, the
                                process group of a pg_basebackup running (localcopy.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbrefresh.backends import localowner, localtblspc
from dbrefresh.backends.localpg import remove_tree
from dbrefresh.config import LocalBackendConfig

PREFIX = ".dbrefresh-"
_NAME = re.compile(
    r"^\.dbrefresh-(?P<run>[A-Za-z0-9_-]+)\.(?P<kind>partial|clone|strict|prev|failed|deleting)$"
)


@dataclass
class Layout:
    """Where every run's files live (pure path arithmetic)."""

    settings: LocalBackendConfig
    name: str = ""  # the target's name (owner markers, for messages)

    @property
    def owners(self) -> localowner.Owners:
        return localowner.Owners(self.target, self.settings.work_dir, self.name)

    def whose(self, run_id: str) -> str:
        """ "" for a run of this target, else whose it is (localowner.py)."""
        return self.owners.whose(run_id)

    @property
    def target(self) -> Path:
        return self.settings.target_data_dir

    def sibling(self, run_id: str, kind: str) -> Path:
        return self.target.parent / f"{PREFIX}{run_id}.{kind}"

    def run_dir(self, run_id: str) -> Path:
        return self.settings.work_dir / run_id

    def copy_pid_file(self, run_id: str, kind: str) -> Path:
        """Where the pg_basebackup into sibling(run_id, kind) records its process group."""
        return self.run_dir(run_id) / f"pg_basebackup.{kind}.pgid"

    def socket_dir(self, run_id: str) -> Path:
        return self.run_dir(run_id) / "sock"

    def target_log(self) -> Path:
        return self.settings.target_log or (self.settings.work_dir / "target.log")

    def data_dirs(self) -> list[Path]:
        """Every data directory that may link to a tablespace directory beside staging's:
        staging's, each run's, and other targets' sharing the parent."""
        siblings = (path for _run, _kind, path in self.siblings())
        return [self.target, *siblings, *self.owners.other_data_dirs()]

    def remove_data_dir(self, path: Path) -> None:
        """Remove a data directory with the tablespaces only it links to."""
        localtblspc.remove_data_dir(path, self.target.parent, self.data_dirs())

    def retire(self, path: Path, run_id: str) -> None:
        """Remove a data directory of run_id so a kill midway leaves it whole or named
        `.deleting`, never half-removed under a name that promises data: rename first
        (atomic), then delete."""
        deleting = self.sibling(run_id, "deleting")
        if path.exists():
            self.remove_data_dir(deleting)  # one a killed process left
            path.rename(deleting)
        self.remove_data_dir(deleting)

    def tablespace_dir(self, run_id: str, kind: str) -> Path:
        """A new copy's tablespace directory, emptied of what a failed copy left (never
        one a data directory links to)."""
        into = localtblspc.directory(self.target.parent, run_id, kind)
        if into in localtblspc.unlinked(self.target.parent, self.data_dirs()):
            remove_tree(into)
        return into

    def unlinked_tablespaces(self) -> list[Path]:
        return localtblspc.unlinked(self.target.parent, self.data_dirs())

    def own_siblings(self) -> list[tuple[str, str, Path]]:
        """This target's siblings: another target's beside the same parent stay its."""
        whose: dict[str, str] = {}
        return [
            (run, kind, path)
            for run, kind, path in self.siblings()
            if whose.setdefault(run, self.whose(run)) == ""
        ]

    def siblings(self) -> list[tuple[str, str, Path]]:
        """Every run's siblings, whichever target's (see own_siblings)."""
        parent = self.target.parent
        if not parent.exists():
            return []
        out = []
        for entry in parent.iterdir():
            match = _NAME.match(entry.name)
            if match:
                out.append((match.group("run"), match.group("kind"), entry))
        return out
