"""The local backend's own paths, checked before anything is copied or stopped.

`local.target_log` is where pg_ctl writes staging's server log: a path naming a
directory, or one under a regular file, was found only when the swap started staging
(`/bin/sh: cannot create …: Is a directory`), after the whole refresh; the rollback's
start failed the same way and staging stayed down. `local.work_dir` under a regular
file (or where nothing can be created: `/proc/x`) failed the run at its first file
(`NotADirectoryError`, `FileNotFoundError`, exit 3). Both are refused when the backend
is built (run, rollback, cleanup), exit 2 naming the key. So are a `state_dir` under
a regular file (the run failed at the lock, exit 3, naming no key) and a `bin_dir`
without pg_ctl (`no pg_ctl in …`, exit 3).
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from dbrefresh.config import Config
from dbrefresh.errors import ConfigError


def check(config: Config) -> None:
    """ConfigError (file:line: local.KEY) for a work_dir or target_log this process
    cannot create or write (as root it creates them and hands them to the server user)."""
    local = config.local
    if local is None:
        return
    if (state := _not_a_directory(config.state_dir)) is not None:
        raise ConfigError(
            f"{config.where('state_dir')}state_dir: {state} (it must name a directory for "
            "journals and locks); nothing was copied or stopped"
        )
    if local.bin_dir is not None and not (Path(local.bin_dir) / "pg_ctl").is_file():
        raise ConfigError(
            f"{config.where('local', 'bin_dir')}local.bin_dir: no pg_ctl in {local.bin_dir} "
            "(it must name the directory of PostgreSQL's server binaries, e.g. "
            "/usr/lib/postgresql/15/bin); nothing was copied or stopped"
        )
    _check(config, "work_dir", local.work_dir, directory=True)
    if local.target_log is not None:
        _check(config, "target_log", local.target_log, directory=False)


def _check(config: Config, key: str, path: Path, *, directory: bool) -> None:
    problem = _problem(path, directory)
    if problem is not None:
        what = "directory for run files" if directory else "file for staging's server log"
        raise ConfigError(
            f"{config.where('local', key)}local.{key}: {problem} (it must name a {what}); "
            "nothing was copied or stopped"
        )


def _not_a_directory(path: Path) -> str | None:
    """Why `path` can never be a directory (it, or the first of its parents that
    exists, is a file), or None. Only the shape: state_dir is read by `status` and
    `cleanup` too, which must work on a read-only one; a run that cannot write its
    journal says so itself."""
    for part in (path, *path.parents):
        if part.exists():
            if part.is_dir():
                return None
            if part == path:
                return f"{path} is not a directory"
            return f"cannot create {path}: {part} is not a directory"
    return None


def _problem(path: Path, directory: bool) -> str | None:
    if path.exists():
        if directory and not path.is_dir():
            return f"{path} is not a directory"
        if not directory and path.is_dir():
            return f"{path} is a directory (name a file in it, e.g. {path / 'staging.log'})"
        if not os.access(path, os.W_OK | (os.X_OK if directory else 0)):
            return f"{path} is not writable by {_user()}"
        return None
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                return f"cannot create {path}: {parent} is not a directory"
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"cannot create {path}: {parent} is not writable by {_user()}"
            return _probe(path, parent, directory)
    return None


def _probe(path: Path, parent: Path, directory: bool) -> str | None:
    """Create, then remove, the first missing part of path: access() says yes to root
    where the filesystem still refuses (`/proc/x`: the run failed at its first file
    with a bare FileNotFoundError, exit 3)."""
    first = parent / path.relative_to(parent).parts[0]
    try:
        if directory or first != path:
            first.mkdir()
            first.rmdir()
        else:
            os.close(os.open(first, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            first.unlink()
    except FileExistsError:
        return None  # appeared meanwhile: found usable at the next look
    except OSError as exc:
        failed = f"{exc.strerror or exc}" if first == path else f"{first}: {exc.strerror or exc}"
        return f"cannot create {path}: {failed}"
    return None


def _user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name
