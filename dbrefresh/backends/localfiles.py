"""What in a data directory is the server's data, and what is its host's own.

A data directory also holds files PostgreSQL does not manage: the TLS key and
certificate (`ssl_key_file` defaults to server.key in it), included configuration,
notes, a log directory of its own name. A copy of production carries production's:
its TLS private key would sit in staging, readable by whoever runs staging, and
staging would start with production's certificate, or fail to start for want of its
own. So at the swap the copy's own files go and staging's own come along (copied: the
old directory stays whole for a rollback). The configuration files are the exception
on one side only: the copy keeps the ones staging does not have.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from dbrefresh.backends.localpg import remove_tree
from dbrefresh.errors import UsageError

# Top-level entries PostgreSQL creates and manages (PostgreSQL 15's layout, with the
# files a base backup and a running or recovering server add).
SERVER_ENTRIES = frozenset(
    {
        "base",
        "global",
        "pg_commit_ts",
        "pg_dynshmem",
        "pg_logical",
        "pg_multixact",
        "pg_notify",
        "pg_replslot",
        "pg_serial",
        "pg_snapshots",
        "pg_stat",
        "pg_stat_tmp",
        "pg_subtrans",
        "pg_tblspc",
        "pg_twophase",
        "pg_wal",
        "pg_xact",
        "PG_VERSION",
        "backup_label",
        "backup_label.old",
        "backup_manifest",
        "tablespace_map",
        "tablespace_map.old",
        "postmaster.opts",
        "postmaster.pid",
        "current_logfiles",
        "standby.signal",
        "recovery.signal",
    }
)
CONFIG_FILES = ("postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf")
_SOCKET = ".s.PGSQL."  # unix_socket_directories = '.': the socket and its .lock
DEFAULT_LOG_DIRS = ("log", "pg_log")  # log_directory's defaults since 10, and before


def log_dirs(data: Path) -> set[str]:
    """Top-level directories the server logs into: the defaults, and the one its
    current_logfiles names (log_directory set to a name of one's own)."""
    names = set(DEFAULT_LOG_DIRS)
    try:
        lines = (data / "current_logfiles").read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for line in lines:
        path = Path(line.partition(" ")[2].strip())
        if not path.is_absolute() and len(path.parts) > 1:
            names.add(path.parts[0])
    return names


def empty_dirs(data: Path, names: Iterable[str]) -> None:
    """Empty these top-level directories (production's logs, statistics, slots)."""
    for name in names:
        directory = data / name
        if directory.is_dir() and not directory.is_symlink():
            for entry in directory.iterdir():
                remove_tree(entry)


def own_entries(data: Path, logs: Iterable[str] = DEFAULT_LOG_DIRS) -> list[Path]:
    """Top-level entries that are neither the server's data nor its logs, nor the unix
    socket and its lock file of a server that keeps them there (the swap copies
    staging's entries while it runs)."""
    skip = SERVER_ENTRIES | set(logs)
    return sorted(
        p for p in data.iterdir() if p.name not in skip and not p.name.startswith(_SOCKET)
    )


def take_staging_files(staging: Path, copy: Path, staging_logs: Iterable[str]) -> list[Path]:
    """Replace the copy's own files by staging's; returns what was copied (to chown)."""
    for entry in own_entries(copy):
        if entry.name not in CONFIG_FILES:
            remove_tree(entry)
    copied = []
    for entry in own_entries(staging, staging_logs):
        target = copy / entry.name
        remove_tree(target)
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)
        copied.append(target)
    return copied


def give_tree(path: Path, user: str) -> None:
    """Own a copied file or tree by the server's user (the copy is the caller's)."""
    entry = pwd.getpwnam(user)
    for each in [path, *(path.rglob("*") if path.is_dir() and not path.is_symlink() else [])]:
        os.lchown(each, entry.pw_uid, entry.pw_gid)


_DATA_DIRECTORY = re.compile(r"^\s*data_directory\s*=?\s*'((?:[^']|'')*)'", re.MULTILINE)


def check_config_file(conf: Path, target: Path) -> None:
    """Staging's configuration kept outside its data directory (Debian's /etc layout) must
    exist and, where it names a data_directory, name staging's: the server would
    otherwise start on that other directory (UsageError, before anything is copied)."""
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"local.target_config_file: cannot read {conf}: {exc.strerror}") from None
    found = _DATA_DIRECTORY.findall(text)
    if found and Path(found[-1].replace("''", "'")).resolve() != target.resolve():
        raise UsageError(
            f"local.target_config_file: {conf} sets data_directory = '{found[-1]}', "
            f"but local.target_data_dir is {target}: they must name one directory"
        )
