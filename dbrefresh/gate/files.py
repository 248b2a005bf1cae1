"""Which migration files the gate's paths stand for, and in which order they run.

An explicit file is read as given (even a down migration: the user asked for it). A
directory stands for the migrations a tool would apply going up, so down migrations
(golang-migrate's `*.down.sql`, a per-migration folder's `down.sql`) are left out and
reported: running them too, and first (`down` sorts before `up`), judged the wrong thing.
A directory with no .sql file of its own stands for those of its immediate subdirectories
(one folder per migration: Prisma, golang-migrate with folders, sqitch's deploy/).

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


def flyway_version(name: str) -> tuple[int, ...] | None:
    """The version of a Flyway versioned migration's file name, as Flyway compares it
    (parts as numbers, `1.0` is `1`); None: not named as one."""
    versioned = _FLYWAY_VERSIONED.match(name)
    if not versioned:
        return None
    parts = [int(p) for p in re.split(r"[._]", versioned["version"])]
    while len(parts) > 1 and parts[-1] == 0:  # Flyway: 1.0 is the same version as 1
        parts.pop()
    return tuple(parts)


def run_order(path: Path) -> tuple[int, tuple[int, ...], str, list[object]]:
    """Sort key: Flyway versioned by version, other files naturally, Flyway repeatables
    last by description (Flyway applies them after every versioned migration)."""
    version = flyway_version(path.name)
    if version is not None:
        return 0, version, "", natural_key(path)
    repeatable = _FLYWAY_REPEATABLE.match(path.name)
    if repeatable:
        return 2, (), repeatable["desc"], natural_key(path)
    return 1, (), "", natural_key(path)


def is_down(path: Path) -> bool:
    """A migration that undoes another (`x.down.sql`, `down.sql`, Flyway's `U1__x.sql`):
    a tool never runs it going up."""
    name = path.name.lower()
    return name.endswith(".down.sql") or name == "down.sql" or bool(_FLYWAY_UNDO.match(path.name))


# Subdirectories whose scripts are not run going up: down/revert ones undo migrations
# (sqitch keeps revert/ and verify/ beside deploy/), verify/ ones only check them.
_DOWN_DIRS = frozenset({"down", "revert", "rollback", "undo"})
_VERIFY_DIRS = frozenset({"verify"})


def _listed(paths: list[Path]) -> str:
    more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
    return ", ".join(str(p) for p in paths[:5]) + more


@dataclass
class Found:
    """The files to read, in run order, and what directories held but a tool does not run
    going up (down migrations, sqitch verify scripts)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    verify: list[Path] = field(default_factory=list)
    expanded: list[Path] = field(default_factory=list)
    """The files found by expanding a directory (not named on the command line)."""

    @property
    def notes(self) -> list[str]:
        """What the report says about files it did not read (empty when none)."""
        notes = []
        if self.skipped:
            noun = "migration" if len(self.skipped) == 1 else "migrations"
            notes.append(
                f"skipped {len(self.skipped)} down {noun} (not run going up): "
                + _listed(self.skipped)
            )
        if self.verify:
            noun = "script" if len(self.verify) == 1 else "scripts"
            notes.append(
                f"skipped {len(self.verify)} verify {noun} (checks, not migrations): "
                + _listed(self.verify)
            )
        return notes


def _sql_files(path: Path) -> list[Path]:
    return sorted((p for p in path.iterdir() if p.suffix == ".sql" and p.is_file()), key=run_order)


def _subdirectories(path: Path, found: Found) -> list[Path]:
    """The .sql files of each immediate subdirectory, subdirectories in natural order
    (Prisma's 20240101_init/migration.sql, golang-migrate folders, sqitch's deploy/)."""
    up: list[Path] = []
    subdirs = (p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    for sub in sorted(subdirs, key=natural_key):
        files = _sql_files(sub)
        if sub.name.lower() in _DOWN_DIRS:
            found.skipped.extend(files)
        elif sub.name.lower() in _VERIFY_DIRS:
            found.verify.extend(files)
        else:
            found.skipped.extend(p for p in files if is_down(p))
            up.extend(p for p in files if not is_down(p))
    return up


def _directory(path: Path, found: Found) -> None:
    before = len(found.skipped), len(found.verify)
    direct = _sql_files(path)
    if direct:
        up = [p for p in direct if not is_down(p)]
        found.skipped.extend(p for p in direct if is_down(p))
        where = "directory holds no .sql files to run"
    else:
        up = _subdirectories(path, found)
        where = "directory holds no .sql files to run, nor do its immediate subdirectories"
    if not up:
        held = [
            kind
            for kind, n, was in (
                ("down migrations", len(found.skipped), before[0]),
                ("verify scripts", len(found.verify), before[1]),
            )
            if n > was
        ]
        only = f" (only {' and '.join(held)})" if held else ""
        raise UsageError(f"{path}: {where}{only}")
    found.files.extend(up)
    found.expanded.extend(up)


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
