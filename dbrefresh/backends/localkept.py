"""Staging's kept copies on the local backend: which is newest, which is whole, how one goes.

A kept copy (`.dbrefresh-<run>.prev`) is the only way back to staging's older data, so
three things must hold however a process dies:

- the order of kept copies comes from something written once, never from the
  directory's mtime: removing entries from a directory changes its mtime, so a copy
  half-removed by a killed prune looked newest, was kept, and the whole one was pruned;
  a marker file beside the copy (`.dbrefresh-<run>.kept`, the time the swap kept it)
  says when, and for copies without one the run id's own timestamp does;
- a copy is removed by renaming it to `.dbrefresh-<run>.deleting` first (atomic), then
  deleting that: a kill leaves either the whole copy or a `.deleting` leftover that
  `cleanup` finishes, never a half-removed copy under a name that promises data;
- nothing is served or rolled back onto unless it is a whole cluster (PG_VERSION and
  global/pg_control at least).
"""

from __future__ import annotations

import os
import re
import time
from calendar import timegm
from pathlib import Path

PREFIX = ".dbrefresh-"
MARKER = "kept"
_MARKER_NAME = re.compile(r"^\.dbrefresh-(?P<run>[A-Za-z0-9_-]+)\.kept$")
_RUN_STAMP = re.compile(r"^(\d{8}-\d{6})")


def is_cluster(path: Path) -> bool:
    """Whether `path` holds a whole PostgreSQL data directory (not a half-removed one)."""
    return (path / "PG_VERSION").is_file() and (path / "global" / "pg_control").is_file()


def marker(parent: Path, run_id: str) -> Path:
    return parent / f"{PREFIX}{run_id}.{MARKER}"


def mark_kept(parent: Path, run_id: str, now: float | None = None) -> None:
    """Record when run_id's swap kept staging's data; once (a resumed swap keeps the first
    time), atomically (a kill leaves the old file or none) and durably."""
    path = marker(parent, run_id)
    if path.exists():
        return
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, f"{time.time() if now is None else now!r}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(path)
    _sync_dir(parent)


def kept_at(parent: Path, run_id: str) -> float:
    """When run_id's copy was kept: its marker, else the time its run id starts with."""
    try:
        return float(marker(parent, run_id).read_text().strip())
    except (OSError, ValueError):
        pass
    found = _RUN_STAMP.match(run_id)
    if found:
        try:
            return float(timegm(time.strptime(found.group(1), "%Y%m%d-%H%M%S")))
        except ValueError:
            pass
    return 0.0


def newest_first(parent: Path, runs: list[str]) -> list[str]:
    return sorted(runs, key=lambda run: (kept_at(parent, run), run), reverse=True)


def markers(parent: Path) -> list[tuple[str, Path]]:
    """Every marker file (run id, path), including ones whose copy is gone."""
    if not parent.is_dir():
        return []
    out = []
    for entry in parent.iterdir():
        match = _MARKER_NAME.match(entry.name)
        if match:
            out.append((match.group("run"), entry))
        elif entry.name.startswith(PREFIX) and entry.name.endswith(f".{MARKER}.partial"):
            out.append((entry.name[len(PREFIX) : -len(f".{MARKER}.partial")], entry))
    return out


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
