"""A pg_basebackup that outlived its dbrefresh: recorded by process group, found, killed.

pg_basebackup's WAL-streaming child is a fork, which the parent-death signal does not
reach: a SIGKILLed dbrefresh took pg_basebackup with it but left that child streaming
for minutes, holding a walsender and a temporary slot on production and writing into
`.partial`, with production's password in its environment; cleanup and a resumed run
deleted or reused that directory under it. So each copy's process group is written to
a small file in the run's directory as it starts, and whatever removes or reuses the
copy's directory first kills that group and waits for it to end.

A group is killed only while it still holds a pg_basebackup writing into that very
directory (its /proc/PID/cmdline says so): a recorded id the system has since reused
belongs to someone else. A /proc scan for such a process also catches a copy killed
between its start and the file's write.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from dbrefresh.backends import localproc
from dbrefresh.errors import InfraError, writing


def record(pid_file: Path, pgid: int) -> None:
    """Write the copy's process group id durably (rename, then fsync of the directory)."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    partial = pid_file.with_name(pid_file.name + ".partial")
    with writing(partial), partial.open("w", encoding="ascii") as fh:
        fh.write(f"{pgid}\n")
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(pid_file)
    fd = os.open(pid_file.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def reap(pid_file: Path, dest: Path, *, timeout: float = 30) -> list[int]:
    """Kill every process group still running a pg_basebackup into `dest` (the recorded
    one included) and wait until none is left; forget the record. Says which groups."""
    groups = sorted(set(copiers(dest).values()))
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while any(localproc.group_alive(pgid) for pgid in groups):
        if time.monotonic() > deadline:
            raise InfraError(f"pg_basebackup into {dest} still running after {timeout}s")
        time.sleep(0.01)
    pid_file.unlink(missing_ok=True)
    return groups


def recorded(pid_file: Path) -> int | None:
    """The process group a copy recorded, if its file is there and readable."""
    try:
        text = pid_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def copiers(dest: Path) -> dict[int, int]:
    """pid -> process group of each live pg_basebackup whose -D is `dest`."""
    return {
        p.pid: p.pgid
        for p in localproc.processes()
        if p.name == b"pg_basebackup" and p.has_option(b"-D", str(dest))
    }
