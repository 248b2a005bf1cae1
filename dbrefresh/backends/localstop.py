"""A postmaster found by its command line: one still starting has no pid file yet.

pg_ctl starts a server as `sh -c 'exec postgres -D DIR ...'`; killed (an abort during
`pg_ctl start -w`), it leaves that postmaster starting on its own, with no
postmaster.pid for a while. Its children rename themselves ("postgres: checkpointer"),
so the one process whose command line is `postgres -D DIR` is the postmaster (or the
shell about to become it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from dbrefresh.backends import localproc
from dbrefresh.errors import InfraError


def postmasters(data_dir: Path) -> list[int]:
    """Pids of processes that are, or are about to exec, a postmaster on data_dir."""
    names = {str(data_dir), str(data_dir.resolve())}
    return [p.pid for p in localproc.processes() if _is_postmaster(p, names)]


def _is_postmaster(proc: localproc.Proc, names: set[str]) -> bool:
    if proc.name == b"postgres":
        return any(proc.has_option(b"-D", name) for name in names)
    if proc.name not in (b"sh", b"bash", b"dash"):
        return False
    quoted = [f'-D "{name}"'.encode() for name in names]
    return any(b"postgres" in arg and q in arg for arg in proc.argv for q in quoted)


def stop_postmasters(data_dir: Path, sig: signal.Signals, deadline: float) -> None:
    """Signal every postmaster on data_dir (SIGINT: fast shutdown, which a starting one
    honours as soon as it can) and wait until each has exited."""
    pids = postmasters(data_dir)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    while any(localproc.alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise InfraError(f"server on {data_dir} did not stop (pids {pids})")
        time.sleep(0.01)
    # a shell that became a postmaster after it was signalled: once more
    if postmasters(data_dir):
        stop_postmasters(data_dir, sig, deadline)
