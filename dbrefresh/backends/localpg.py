"""Mechanics of local PostgreSQL servers: initdb, pg_ctl, pg_basebackup, as the right user.

pg_ctl and initdb refuse to run as root. When dbrefresh runs as root, every server
binary runs as the `postgres` OS user (setuid in the child, like runuser) and every
directory a server writes
is handed to that user; as an ordinary user the binaries run as that user. Nothing
here knows about runs or steps: the local backend composes these calls.
"""

from __future__ import annotations

import ctypes
import functools
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dbrefresh import interrupts
from dbrefresh.backends import localcopy, localenv, localproc, localstartlog, localstop
from dbrefresh.db import redact_text
from dbrefresh.errors import InfraError

SERVER_USER = "postgres"
_STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
_PR_SET_PDEATHSIG = 1


def find_bindir(configured: str | None = None) -> Path:
    """Directory holding pg_ctl: configured, else pg_config's, else the newest packaged one."""
    if configured:
        path = Path(configured)
        if (path / "pg_ctl").exists():
            return path
        raise InfraError(f"no pg_ctl in {path}")
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "pg_ctl").exists():
            return candidate
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise InfraError("PostgreSQL server binaries not found (install postgresql or set bin_dir)")


_ISSUED_PORTS: set[int] = set()
_ISSUING = threading.Lock()


def free_port() -> int:
    """A TCP port nobody listens on now and this process has not handed out before (it
    also names the unix socket file). A server given a port may not hold it on TCP: the
    demo's production listens on a unix socket only, so its port looked free when
    staging's was picked, and the OS offered it again (staging could not start)."""
    with _ISSUING:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
            if port not in _ISSUED_PORTS:
                _ISSUED_PORTS.add(port)
                return port


@dataclass(frozen=True)
class PgTools:
    """Runs PostgreSQL binaries as the server's OS user and prepares paths for it."""

    bindir: Path
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    @property
    def server_user(self) -> str:
        return SERVER_USER if self.as_root else pwd.getpwuid(os.geteuid()).pw_name

    def major_version(self) -> str:
        out = self.run(["pg_ctl", "--version"], capture=True)
        return out.split()[-1].split(".")[0]

    def run(
        self,
        argv: Sequence[str],
        *,
        capture: bool = False,
        secret_dsn: str = "",
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        own_group: bool = False,
        started: Callable[[int], None] | None = None,
    ) -> str:
        """Run one binary from bindir as the server user; InfraError (redacted) on failure."""
        proc = self._call(argv, env=env, timeout=timeout, own_group=own_group, started=started)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip()
            if secret_dsn:
                detail = redact_text(detail, secret_dsn)
            raise InfraError(f"{argv[0]} failed (exit {proc.returncode}): {detail}")
        return proc.stdout if capture else ""

    def _call(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        own_group: bool = False,
        started: Callable[[int], None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a binary to its end, with a minimal environment (localenv.py: a server
        keeps it for life, readable by its superusers). With own_group it runs in a
        session of its own and an abort (any exception while waiting) kills the whole
        group, then waits:
        pg_basebackup's WAL-streaming child otherwise outlived an aborted run, holding a
        walsender on production and writing into a directory being deleted. `started`
        gets the child's pid (its group's id with own_group) before any abort can land."""
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        proc: subprocess.Popen[str] | None = None
        try:
            with interrupts.spawning():  # no abort inside the fork's hooks: it was lost
                proc = subprocess.Popen(
                    cmd,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**localenv.minimal(os.environ), **self.env, **(env or {})},
                    cwd="/",
                    start_new_session=own_group,
                    **self._as_server_user(),
                )
                if started is not None:
                    started(proc.pid)
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(proc, own_group)
            raise InfraError(f"{argv[0]} timed out after {timeout}s") from None
        except BaseException:
            _end(proc, own_group)
            raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    # ---- paths -------------------------------------------------------------------------

    def own_dir(self, path: Path, *, mode: int = 0o700) -> Path:
        """Create `path` (and parents) so the server user owns it with `mode`."""
        path.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            self.grant_traverse(path)
            shutil.chown(path, SERVER_USER, SERVER_USER)
        path.chmod(mode)
        return path

    def own_file(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        if self.as_root:
            self.grant_traverse(path)
            shutil.chown(path, SERVER_USER, SERVER_USER)
        path.chmod(0o600)
        return path

    def grant_traverse(self, path: Path) -> None:
        """Let the server user traverse every parent of `path` (as root only)."""
        if not self.as_root:
            return
        for parent in path.resolve().parents:
            if parent == Path("/"):
                break
            try:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)
            except OSError:
                pass

    # ---- servers -----------------------------------------------------------------------

    def initdb(self, data_dir: Path, *, superuser: str = "postgres") -> None:
        self.own_dir(data_dir)
        self.run(
            [
                "initdb",
                "-D",
                str(data_dir),
                "-U",
                superuser,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ]
        )

    def start(
        self,
        data_dir: Path,
        *,
        log_file: Path,
        options: Mapping[str, str] | None = None,
        timeout: int = 120,
    ) -> None:
        """pg_ctl start -w with `-c key=value` options (not persisted in the data dir)."""
        self.own_file(log_file)
        opts = " ".join(f"-c {k}={_quote_opt(v)}" for k, v in (options or {}).items())
        argv = ["pg_ctl", "start", "-w", "-t", str(timeout), "-D", str(data_dir)]
        argv += ["-l", str(log_file)]
        if opts:
            argv += ["-o", opts]
        offset, began = localstartlog.log_size(log_file), time.time()
        try:
            self.run(argv)
        except InfraError as exc:
            # with logging_collector on, the reason is in the collector's file
            report = localstartlog.failed_start_report(log_file, offset, data_dir, began)
            raise InfraError(f"{exc}\n{report}") from None

    def config_errors(self, data_dir: Path, options: Mapping[str, str] | None = None) -> str:
        """What the server says of the configuration a start on data_dir would read, every
        include too ("" when it loads): `postgres -C`, which parses it as a start does
        and exits, the server running or not. Messages without their log prefix."""
        argv = ["postgres", "-D", str(data_dir), "-C", "port", "-c", "log_line_prefix="]
        for key, value in (options or {}).items():
            argv += ["-c", f"{key}={value}"]
        proc = self._call(argv)
        return "" if proc.returncode == 0 else (proc.stderr or proc.stdout).strip()

    def setting(
        self, data_dir: Path, name: str, options: Mapping[str, str] | None = None
    ) -> str | None:
        """A setting as a start on data_dir would read it (`postgres -C`); None when the
        configuration does not load (config_errors says why)."""
        argv = ["postgres", "-D", str(data_dir), "-C", name]
        for key, value in (options or {}).items():
            argv += ["-c", f"{key}={value}"]
        proc = self._call(argv)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def stop(self, data_dir: Path, *, mode: str = "fast", timeout: int = 120) -> None:
        """Stop the server on data_dir if one runs or is starting (no error when none
        does). An abort during `pg_ctl start` killed pg_ctl, not the postmaster it had
        launched: with no pid file written yet, a stop saw no server, the rollback renamed
        directories under it and its own start failed ("another server might be
        running"). So a postmaster on data_dir is also looked for in /proc."""
        deadline = time.monotonic() + timeout
        if self.is_running(data_dir):
            # pg_ctl -w checks every 100 ms; the postmaster removes its pid file last
            # thing on exit, so watching for that every 10 ms is the same wait, shorter
            pid_file = data_dir / "postmaster.pid"
            pid = _pm_pid(pid_file)
            self.run(["pg_ctl", "stop", "-W", "-m", mode, "-D", str(data_dir)])
            while pid_file.exists():
                if pid is not None and not localproc.alive(pid):
                    break  # killed outright (SIGKILL, OOM): its pid file stays behind
                if time.monotonic() > deadline:
                    raise InfraError(f"server on {data_dir} did not stop within {timeout}s")
                time.sleep(0.01)
        localstop.stop_postmasters(data_dir, _STOP_SIGNALS[mode], deadline)

    def wait_while_stopping(self, data_dir: Path, *, timeout: int = 300) -> None:
        """Wait for a shutdown in progress to end. pg_ctl status calls a server that is
        shutting down (an interrupted stop: its checkpoint can take minutes) running, so
        a start checked only that and skipped: staging then exited and stayed down."""
        pid_file = data_dir / "postmaster.pid"
        deadline = time.monotonic() + timeout
        while _pm_status(pid_file) == "stopping":
            if time.monotonic() > deadline:
                raise InfraError(f"server on {data_dir} still shutting down after {timeout}s")
            time.sleep(0.05)

    def is_running(self, data_dir: Path) -> bool:
        if not (data_dir / "postmaster.pid").exists():
            return False
        return self._call(["pg_ctl", "status", "-D", str(data_dir)]).returncode == 0

    def _as_server_user(self) -> dict[str, Any]:
        """subprocess arguments: drop to the server user as root; die with our process.

        A child outliving a killed dbrefresh (pg_basebackup still writing a directory
        that resume deletes) is exactly what a parent-death signal prevents.
        """
        kwargs: dict[str, Any] = {"preexec_fn": _die_with_parent}
        if self.as_root:
            kwargs.update(user=SERVER_USER, group=SERVER_USER, extra_groups=[])
        return kwargs

    def basebackup(
        self,
        dsn: str,
        dest: Path,
        *,
        checkpoint: str = "fast",
        rate: str | None = None,
        tablespaces: Mapping[str, Path] | None = None,
        pid_file: Path | None = None,
    ) -> None:
        """pg_basebackup (plain format, WAL streamed) from `dsn` into a new directory;
        `tablespaces` maps each of the server's tablespace locations to a new one (without
        it a plain backup writes them to the server's own locations). Its process group
        id goes to `pid_file` (localcopy.py: what a SIGKILL of ours leaves running)."""
        self.own_dir(dest)
        # the password goes through the environment: any local user reads a command line
        # (ps, /proc/PID/cmdline) for the whole copy; environ only its owner and root
        conninfo, password = split_password(dsn)
        argv = ["pg_basebackup", "-d", conninfo, "-D", str(dest), "-X", "stream"]
        argv += ["-c", checkpoint]
        argv += ["--no-sync", "--no-manifest"]
        for old, new in (tablespaces or {}).items():
            self.own_dir(new.parent)
            argv += ["-T", f"{_escape_mapping(old)}={_escape_mapping(str(new))}"]
        if rate:
            argv += ["-r", rate]
        env = localenv.client_password(os.environ, password)  # for pg_basebackup alone
        started = None if pid_file is None else functools.partial(localcopy.record, pid_file)
        self.run(argv, secret_dsn=dsn, env=env, own_group=True, started=started)
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)

    def sync_dir(self, path: Path) -> None:
        """Flush a directory tree to disk (the temp server ran with fsync=off)."""
        subprocess.run(["sync", "-f", str(path)], check=False, capture_output=True)
        os.sync()

    def sync_dir_in_background(self, path: Path) -> None:
        """Start sync_dir(path) beside other work; a later sync_dir waits for the rest."""
        threading.Thread(target=self.sync_dir, args=(path,), daemon=True).start()


def _end(proc: subprocess.Popen[str] | None, group: bool, timeout: float = 10) -> None:
    """Kill a child (with its whole process group when it has one) and wait for it."""
    if proc is None:
        return
    try:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()
    deadline = time.monotonic() + timeout
    while group and time.monotonic() < deadline:  # children reparented to init
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)


def split_password(dsn: str) -> tuple[str, str | None]:
    """A connection string without its password (key=value or URI), and the password."""
    params = conninfo_to_dict(dsn)
    password = params.pop("password", None)
    if password is None:
        return dsn, None
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None}), str(password)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def _pm_pid(pid_file: Path) -> int | None:
    """The postmaster's pid from its pid file (line 1), None when unreadable.

    A postmaster killed outright never removes its pid file, and until its parent reaps
    it (an init that is a shell, or slow: seconds) `pg_ctl status` calls the zombie
    running: a stop waiting for the file to go waited its whole timeout, and the undo
    of a run whose temporary server had died failed, its copy left on disk."""
    try:
        first = pid_file.read_text(errors="replace").split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() else None


def _pm_status(pid_file: Path) -> str:
    """The postmaster's state from its pid file (line 8 since PostgreSQL 10: starting,
    ready, standby, stopping); "" when there is no file or no such line."""
    try:
        lines = pid_file.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return lines[7].strip() if len(lines) > 7 else ""


def remove_tree(path: Path) -> None:
    """Remove a directory tree if it exists (idempotent)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _escape_mapping(path: str) -> str:
    """pg_basebackup -T separates old and new at '=': an '=' in a path is written '\\='."""
    return path.replace("=", "\\=")


def _quote_opt(value: str) -> str:
    """pg_ctl hands -o to /bin/sh, so quote for the shell."""
    return shlex.quote(value)
