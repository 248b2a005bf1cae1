"""Tablespaces of the local backend: where a copy's tablespaces go, and when they go away.

A data directory reaches a tablespace through an absolute symlink in pg_tblspc/. A
pg_basebackup of a server with tablespaces would write them to the server's own
locations (production's!), so every copy maps them (`-T old=new`) into a directory of
its own beside staging's data, named after the run:

  D/../.dbrefresh-<run>.tblspc/<oid>         the snapshot's (and so the clone's)
  D/../.dbrefresh-<run>.strict-tblspc/<oid>  strict mode's fresh copy

Renaming a data directory (clone -> staging -> prev) leaves its absolute links valid.
Such a directory is removed with the last data directory linking to it, never by name
alone (it may hold staging's live tables); one no data directory links to is a leftover.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import psycopg

from dbrefresh.backends.localpg import remove_tree
from dbrefresh.db import connection
from dbrefresh.errors import InfraError

PREFIX = ".dbrefresh-"
SNAPSHOT, STRICT = "tblspc", "strict-tblspc"
_NAME = re.compile(r"^\.dbrefresh-(?P<run>[A-Za-z0-9_-]+)\.(?:strict-)?tblspc$")
_LOCATIONS = (
    "SELECT oid::int8, pg_tablespace_location(oid) FROM pg_tablespace "
    "WHERE pg_tablespace_location(oid) <> '' ORDER BY oid"
)


def locations(dsn: str) -> dict[int, str]:
    """User tablespaces of a running server (oid -> location); {} if it cannot be asked
    (a role allowed replication connections only: pg_basebackup then names the problem)."""
    try:
        with connection(dsn) as conn:
            return {int(oid): str(loc) for oid, loc in conn.execute(_LOCATIONS).fetchall()}
    except (InfraError, psycopg.Error):
        return {}


def directory(parent: Path, run_id: str, kind: str) -> Path:
    """Where a copy of run_id (kind SNAPSHOT or STRICT) keeps its tablespaces."""
    return parent / f"{PREFIX}{run_id}.{kind}"


def mapping(found: Mapping[int, str], into: Path) -> dict[str, Path]:
    """pg_basebackup's tablespace mapping: each location -> into/<oid>."""
    return {location: into / str(oid) for oid, location in found.items()}


def run_of(path: Path) -> str | None:
    match = _NAME.match(path.name)
    return match.group("run") if match else None


def linked(data_dir: Path, parent: Path) -> set[Path]:
    """The tablespace directories of ours (beside staging, under `parent`) that a data
    directory links to."""
    links = data_dir / "pg_tblspc"
    out: set[Path] = set()
    if not links.is_dir():
        return out
    for link in links.iterdir():
        if link.is_symlink():
            holder = Path(os.readlink(link)).parent
            if holder.parent == parent and run_of(holder) is not None:
                out.add(holder)
    return out


def remove_data_dir(data_dir: Path, parent: Path, keep_linked_by: Iterable[Path] = ()) -> None:
    """Remove a data directory and the tablespace directories of ours it alone links to."""
    others = set().union(*(linked(d, parent) for d in keep_linked_by if d != data_dir))
    for holder in linked(data_dir, parent) - others:
        remove_tree(holder)
    remove_tree(data_dir)


def unlinked(parent: Path, data_dirs: Iterable[Path]) -> list[Path]:
    """Tablespace directories of ours that no data directory links to (a copy that died
    before its links were written, or whose data directory is gone)."""
    if not parent.is_dir():
        return []
    used = set().union(*(linked(d, parent) for d in data_dirs))
    return sorted(p for p in parent.iterdir() if run_of(p) is not None and p not in used)
