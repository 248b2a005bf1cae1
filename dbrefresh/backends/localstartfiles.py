"""Files a start of staging reads besides its settings: pg_hba.conf, pg_ident.conf, and
with `ssl = on` the certificate and key.

`postgres -C` (localconf.py) reads settings only: an invalid pg_hba.conf line (`host all
all 10.0.0.0/33 trust`, appended without a reload) or `ssl = on` without a certificate
passed it, the swap's start failed, the rollback's start failed the same way (the
files are staging's), and staging stayed down. A running staging rereads its hba and
ident files when asked (`pg_hba_file_rules`, `pg_ident_file_mappings`: superusers only
on PostgreSQL 15); the TLS files are looked at where the configuration names them.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

import psycopg

from dbrefresh.backends.localpg import PgTools
from dbrefresh.db import connection, redact_text
from dbrefresh.errors import InfraError, first_line

_VIEWS = (
    ("hba_file", "pg_hba_file_rules", "staging refuses to start"),
    ("ident_file", "pg_ident_file_mappings", "no login through a user name map would work"),
)
_TLS = ("ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_crl_file")


def auth_problems(dsn: str) -> tuple[list[str], str]:
    """(each faulty line of staging's hba and ident files as `file:line: error (what
    it does)`, why they could not be checked: "" when they were)."""
    out: list[str] = []
    try:
        with connection(dsn, autocommit=True) as conn:
            role = str(conn.info.user)
            for setting, view, effect in _VIEWS:
                try:
                    rows = conn.execute(f"SELECT line_number, error FROM {view}").fetchall()
                    error = ""
                except psycopg.errors.InsufficientPrivilege:
                    return [], (
                        f"pg_hba.conf and pg_ident.conf not checked: {role} may not read "
                        f"{view} (superusers may, or a role granted SELECT on it)"
                    )
                except psycopg.Error as exc:  # the file cannot be read at all
                    rows, error = [], first_line(exc)
                file = _setting(conn, setting)
                if error:
                    out.append(f"{file}: {error} ({effect})")
                    continue
                out += [f"{file}:{line}: {err} ({effect})" for line, err in rows if err]
                if view == "pg_hba_file_rules" and not rows:
                    out.append(f"{file}: holds no rule ({effect})")
    except (InfraError, psycopg.Error) as exc:
        why = redact_text(str(exc), dsn).splitlines()[0]
        return [], f"pg_hba.conf and pg_ident.conf not checked: {why}"
    return out, ""


def _setting(conn: psycopg.Connection[tuple[object, ...]], name: str) -> str:
    """The file's path, or its setting's name for a role granted the view alone."""
    try:
        row = conn.execute("SELECT current_setting(%s)", (name,)).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return name
    return str(row[0]) if row else name


def tls_problems(tools: PgTools, data_dir: Path, config_file: Path | None) -> list[str]:
    """With `ssl = on` as a start on data_dir would read it: each certificate, key, CA or
    CRL file named that is missing or that the server user cannot read, and a key
    file whose mode the server refuses."""
    options = {"config_file": str(config_file)} if config_file is not None else None
    if tools.setting(data_dir, "ssl", options) != "on":
        return []
    user = tools.server_user
    out = []
    for name in _TLS:
        value = tools.setting(data_dir, name, options)
        if not value:
            continue  # ssl_ca_file and ssl_crl_file are optional
        path = data_dir / value  # a relative path is the data directory's
        problem = _file_problem(path, user, key=name == "ssl_key_file")
        if problem:
            out.append(f"ssl = on, {name} = '{value}': {problem} (staging refuses to start)")
    return out


def _file_problem(path: Path, user: str, *, key: bool) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file"
    if not readable_by(path, user):
        return f"{path} is not readable by {user}"
    if key:  # the server's own rule (be-secure-common.c)
        owner = pwd.getpwnam(user).pw_uid
        if info.st_uid == owner and info.st_mode & 0o077:
            return f"{path} has group or world access (chmod 0600 it)"
        if info.st_uid == 0 and info.st_mode & 0o037:
            return f"{path} is owned by root with more than 0640"
        if info.st_uid not in (owner, 0):
            return f"{path} must be owned by {user} or root"
    return ""


def readable_by(path: Path, user: str) -> bool:
    """Whether user may read path (every directory above it searchable), by mode bits."""
    entry = pwd.getpwnam(user)
    if entry.pw_uid == 0:
        return True
    groups = set(os.getgrouplist(user, entry.pw_gid)) | {
        g.gr_gid for g in grp.getgrall() if user in g.gr_mem
    }

    def allowed(target: Path, bits: int) -> bool:
        info = target.stat()
        if info.st_uid == entry.pw_uid:
            return bool(info.st_mode & (bits << 6))
        if info.st_gid in groups:
            return bool(info.st_mode & (bits << 3))
        return bool(info.st_mode & bits)

    try:
        resolved = path.resolve()
        return all(allowed(d, 1) for d in resolved.parents) and allowed(resolved, 4)
    except OSError:
        return False
