"""Which migration files the gate's paths stand for, and in which order they run.

An explicit file is read as given (even a down migration: the user asked for it). A
directory stands for the migrations a tool would apply going up, so down migrations
(golang-migrate's `*.down.sql`, a per-migration folder's `down.sql`) are left out and
reported: running them too, and first (`down` sorts before `up`), judged the wrong thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbrefresh.errors import UsageError

_NATURAL = re.compile(r"(\d+)")


def natural_key(path: Path) -> list[object]:
    """Digits compare as numbers: V2 before V10, 000002 after 000001."""
    return [int(p) if p.isdigit() else p.lower() for p in _NATURAL.split(path.name)]


def is_down(path: Path) -> bool:
    """A migration that undoes another: a tool never runs it going up."""
    name = path.name.lower()
    return name.endswith(".down.sql") or name == "down.sql"


@dataclass
class Found:
    """The files to read, in run order, and the down migrations left out of directories."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What the report says about files it did not read (empty when none)."""
        if not self.skipped:
            return []
        names = ", ".join(str(p) for p in self.skipped[:5])
        more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
        count = len(self.skipped)
        noun = "migration" if count == 1 else "migrations"
        return [f"skipped {count} down {noun} (not run going up): {names}{more}"]


def _directory(path: Path, found: Found) -> None:
    sql = sorted((p for p in path.iterdir() if p.suffix == ".sql" and p.is_file()), key=natural_key)
    up = [p for p in sql if not is_down(p)]
    found.skipped.extend(p for p in sql if is_down(p))
    if not up:
        only_down = " (only down migrations)" if sql else ""
        raise UsageError(f"{path}: directory holds no .sql files to run{only_down}")
    found.files.extend(up)


def find(paths: Sequence[str | Path]) -> Found:
    """Expand directories into their migrations, in run order; refuse what is not there."""
    found = Found()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _directory(path, found)
        elif path.is_file():
            found.files.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    if not found.files:
        raise UsageError("no migration given")
    return found
