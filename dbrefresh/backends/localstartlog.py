"""Where a server that failed to start wrote why.

`pg_ctl start -l FILE` captures the postmaster's own stderr, but a server configured
with `logging_collector = on` (log_directory, log_filename: staging set up like
production often is) writes only its first lines there. From "redirecting log output
to logging collector process" on, everything, the reason a start failed included (a
missing hba_file, a recovery setting, a damaged WAL), goes to the collector's file in
another place; the error showed the tail of FILE, which said nothing. The server names
the files it writes in its data directory's `current_logfiles`, and the redirect line's
HINT names the directory: the error now quotes what the server really wrote.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TAIL_LINES = 20
_TAIL_BYTES = 64 * 1024
_SLACK = 2.0  # seconds: file times come from a coarser clock than time.time()
_REDIRECTED_TO = re.compile(r'Future log output will appear in directory "((?:[^"]|"")*)"')


def log_size(path: Path) -> int:
    """How much `path` holds now (0 if absent): a start's lines are what follows."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def failed_start_report(log_file: Path, offset: int, data_dir: Path, since: float) -> str:
    """The last lines of what the server wrote for a start begun at `since` (time.time()):
    the pg_ctl -l file from `offset` on, then each file its logging collector wrote."""
    own = _tail(log_file, offset)
    sections = [f"--- server log {log_file} ---\n{own or '(nothing written)'}"]
    for path in collector_files(data_dir, since, own):
        if path.resolve() != log_file.resolve():
            sections.append(f"--- server log {path} ---\n{_tail(path) or '(nothing written)'}")
    return "\n".join(sections)


def collector_files(data_dir: Path, since: float, stderr_text: str = "") -> list[Path]:
    """Files the server's logging collector wrote since `since`: those current_logfiles
    names (relative to the data directory unless absolute), else the newest file of
    the directory the redirect notice in `stderr_text` names. Stale ones are skipped."""
    named = [data_dir / p for p in _current_logfiles(data_dir)]
    fresh = [p for p in named if _modified_since(p, since)]
    if fresh:
        return fresh
    found = _REDIRECTED_TO.findall(stderr_text)
    if not found:
        return []
    directory = data_dir / found[-1].replace('""', '"')
    try:
        entries = [p for p in directory.iterdir() if p.is_file() and _modified_since(p, since)]
    except OSError:
        return []
    return sorted(entries, key=lambda p: p.stat().st_mtime)[-1:]


def _current_logfiles(data_dir: Path) -> list[str]:
    """current_logfiles' paths ("stderr log/postgresql.log" per line), stderr's first."""
    try:
        lines = (data_dir / "current_logfiles").read_text(errors="replace").splitlines()
    except OSError:
        return []
    pairs = [line.partition(" ") for line in lines if line.strip()]
    ordered = sorted(pairs, key=lambda p: p[0] != "stderr")
    return [path.strip() for _kind, _sep, path in ordered if path.strip()]


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since - _SLACK
    except OSError:
        return False


def _tail(path: Path, offset: int = 0) -> str:
    """The last TAIL_LINES lines of `path` from `offset` on, reading only its end."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(offset, size - _TAIL_BYTES, 0) if offset <= size else 0)
            text = fh.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-TAIL_LINES:])
