"""One refresh at a time per target: a file lock, with who holds it written beside it.

The lock is an OS-level lock (filelock, flock on POSIX), so a killed run releases it
with its process: nothing to clean up, no stale lock to break. The holder file only
serves the message of the run that is refused.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from dbrefresh.config import Config
from dbrefresh.errors import LockHeldError


def lock_location(config: Config) -> tuple[Path, str]:
    """Where the lock of config's target lives, and its name.

    On the local backend the lock sits beside staging's data directory and is named
    after it, so two configs (other state_dir, other target name) that point at the same
    staging still exclude each other. Elsewhere it lives in the state directory.
    """
    if config.backend == "local" and config.local is not None:
        data = config.local.target_data_dir
        return data.parent, f".{data.name}.dbrefresh"
    return config.state_dir / "locks", config.target.name


class TargetLock:
    def __init__(
        self,
        lock_dir: Path,
        target: str,
        *,
        timeout: float = 0,
        run_id: str = "",
        command: str = "run",
        clock: Callable[[], float],
        label: str | None = None,
    ) -> None:
        self.path = lock_dir / f"{target}.lock"
        self.holder_path = lock_dir / f"{target}.holder.json"
        # messages name the target as the config does ('staging'), not the lock file's
        # stem ('.data.dbrefresh' beside a local data directory)
        self.target, self.timeout = label or target, timeout
        self.run_id, self.command, self.clock = run_id, command, clock
        self._lock = FileLock(str(self.path), timeout=timeout)

    def holder(self) -> dict[str, object]:
        try:
            data = json.loads(self.holder_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            who = self.holder()
            desc = (
                f"{who.get('command', 'run')} {who.get('run_id') or ''} "
                f"(pid {who.get('pid', '?')} on {who.get('host', '?')})"
            ).replace("  ", " ")
            raise LockHeldError(
                f"target {self.target!r} is locked by {desc}; lock file {self.path}"
            ) from None
        self._write_holder()

    def claim(self, run_id: str) -> None:
        """Name the run holding the lock (its id is drawn once the lock is held)."""
        self.run_id = run_id
        self._write_holder()

    def _write_holder(self) -> None:
        self.holder_path.write_text(
            json.dumps(
                {
                    "run_id": self.run_id,
                    "command": self.command,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": self.clock(),
                }
            )
        )

    def release(self) -> None:
        if self._lock.is_locked:
            self.holder_path.unlink(missing_ok=True)
            self._lock.release()

    def is_held(self) -> bool | None:
        """Whether a process holds the lock, asked without taking it (None: cannot tell).
        /proc/locks lists every flock with its file's inode; a probe that took the lock,
        even for an instant, could refuse a run starting at that moment. Matched on the
        inode number alone (overlay filesystems may show another device): a false
        "held" only keeps a dead run looking alive."""
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            return False
        except OSError:
            return None
        try:
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            fields = line.split()
            if "->" not in fields and len(fields) > 5 and fields[5].endswith(f":{inode}"):
                return True
        return False

    def is_held_elsewhere(self) -> bool:
        probe = FileLock(str(self.path), timeout=0)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        probe.release()
        return False

    def __enter__(self) -> TargetLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
