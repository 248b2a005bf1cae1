"""Processes as /proc shows them: what a killed dbrefresh left running has no parent of
ours to wait on, so it is found by its command line and process group."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    pgid: int
    argv: list[bytes]

    @property
    def name(self) -> bytes:
        """The program's file name (argv[0] without its directory)."""
        return os.path.basename(self.argv[0]) if self.argv else b""

    def has_option(self, option: bytes, value: str) -> bool:
        """Whether the command line holds `option value` as two arguments."""
        want = value.encode()
        return any(a == option and b == want for a, b in itertools.pairwise(self.argv))


def processes() -> Iterator[Proc]:
    """Every live process (zombies left out: they have ended, only not been reaped)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] in ("Z", "X"):
            continue
        yield Proc(int(entry.name), int(fields[2]), argv[:-1] if argv[-1:] == [b""] else argv)


def alive(pid: int) -> bool:
    return any(p.pid == pid for p in processes())


def group_alive(pgid: int) -> bool:
    return any(p.pgid == pgid for p in processes())
