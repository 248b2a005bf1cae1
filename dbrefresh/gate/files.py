"""Which migration files the gate's paths stand for, and in which order they run.

An explicit file is read as given (even a down migration: the user asked for it). A
directory stands for the migrations a tool would apply going up, so down migrations
(golang-migrate's `*.down.sql`, a per-migration folder's `down.sql`) are left out and
reported: running them too, and first (`down` sorts before `up`), judged the wrong thing.

Order: files named like Flyway's migrations run in Flyway's order: versioned
`V<version>__desc.sql` by version (parts split on `.` or `_`, compared as numbers, so
1 < 1.1 < 1.2 < 2 < 10), then repeatable `R__desc.sql` by description, after everything
else. Other files (Django `0001_initial`, Rails `20240101120000_x`, golang-migrate
`000001_x.up`) run in natural order (digits compare as numbers), between the two.
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


_VERSION = r"\d+(?:[._]\d+)*"
_FLYWAY_VERSIONED = re.compile(rf"^V(?P<version>{_VERSION})__(?P<desc>.*)\.sql$")
_FLYWAY_UNDO = re.compile(rf"^U{_VERSION}__.*\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(?P<desc>.*)\.sql$")


def run_order(path: Path) -> tuple[int, tuple[int, ...], str, list[object]]:
    """Sort key: Flyway versioned by version, other files naturally, Flyway repeatables
    last by description (Flyway applies them after every versioned migration)."""
    versioned = _FLYWAY_VERSIONED.match(path.name)
    if versioned:
        parts = [int(p) for p in re.split(r"[._]", versioned["version"])]
        while len(parts) > 1 and parts[-1] == 0:  # Flyway: 1.0 is the same version as 1
            parts.pop()
        return 0, tuple(parts), "", natural_key(path)
    repeatable = _FLYWAY_REPEATABLE.match(path.name)
    if repeatable:
        return 2, (), repeatable["desc"], natural_key(path)
    return 1, (), "", natural_key(path)


def is_down(path: Path) -> bool:
    """A migration that undoes another (`x.down.sql`, `down.sql`, Flyway's `U1__x.sql`):
    a tool never runs it going up."""
    name = path.name.lower()
    return name.endswith(".down.sql") or name == "down.sql" or bool(_FLYWAY_UNDO.match(path.name))


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
    sql = sorted((p for p in path.iterdir() if p.suffix == ".sql" and p.is_file()), key=run_order)
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
