"""Staging's configuration must let it start again before a run stops it.

A running server reads postgresql.conf only at start or reload: an edit that breaks it
(`shared_buffers = 32MBB`, appended without a reload) showed only when the swap
restarted staging. The swap copies staging's configuration into the new data, and the
rollback starts the old data with the same files: both failed, staging stayed down.
So the run's preflight asks the server binary to read the configuration as a start
would (`postgres -C`, no SQL privilege needed, staging up or down) and refuses with
the server's own words (exit 2); where staging runs and lets the role read
pg_file_settings, the file and line of each setting named. The swap checks the new
data's configuration (staging's files copied in) again before it stops staging.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from dbrefresh.backends.localpg import PgTools
from dbrefresh.db import connection, redact_text
from dbrefresh.errors import InfraError

_LEVEL = re.compile(r"^(?:LOG|FATAL|HINT|DETAIL|WARNING|ERROR|PANIC):\s+")
_PARAMETER = re.compile(r'parameter "([^"]+)"')
_NOT_APPLIED = "setting could not be applied"  # also a valid change awaiting a restart


def problems(tools: PgTools, data_dir: Path, config_file: Path | None) -> list[str]:
    """The server's messages about the configuration a start on data_dir reads ([]: fine);
    config_file: staging's own outside its data directory (Debian's /etc)."""
    options = {"config_file": str(config_file)} if config_file is not None else None
    text = tools.config_errors(data_dir, options)
    return [_LEVEL.sub("", line).strip() for line in text.splitlines() if line.strip()]


def locations(dsn: str, messages: list[str]) -> list[str]:
    """`file:line: name = 'value' (error)` of each faulty entry pg_file_settings shows (it
    rereads the files now), or why it cannot tell. Valid changes awaiting a restart show
    there as errors too: only settings the server's messages name are kept."""
    named = set(_PARAMETER.findall("\n".join(messages)))
    sql = (
        "SELECT sourcefile, sourceline, name, setting, error FROM pg_file_settings "
        "WHERE error IS NOT NULL ORDER BY seqno"
    )
    try:
        with connection(dsn, autocommit=True) as conn:
            role = str(conn.info.user)
            try:
                rows = conn.execute(sql).fetchall()
            except psycopg.errors.InsufficientPrivilege:
                return [
                    f"(file and line unknown: {role} may not read pg_file_settings; "
                    "superusers and members of pg_read_all_settings may)"
                ]
    except (InfraError, psycopg.Error) as exc:
        return [f"(file and line unknown: {redact_text(str(exc), dsn).splitlines()[0]})"]
    out = []
    for file, line, name, setting, error in rows:
        if name is not None and error == _NOT_APPLIED and name not in named:
            continue
        entry = f"{name} = '{setting}'" if name is not None else "(file)"
        out.append(f"{file}:{line}: {entry} ({error})")
    return out


def describe(messages: list[str], where: list[str]) -> str:
    """One message: the server's words, then where (when known)."""
    text = "; ".join(messages)
    return f"{text}; at {'; '.join(where)}" if where else text
