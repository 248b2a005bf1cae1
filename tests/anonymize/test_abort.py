"""An abort (SIGTERM turned into an exception, Ctrl-C) cancels the SQL in flight."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import Aborted, db_with_rules

SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO people SELECT i, format('p%s@home.example', i) FROM generate_series(1, 500) i;
"""

RULES = """version: 1
tables:
  public.people:
    columns: {id: keep, email: email}
"""


def _rows(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT md5(string_agg(p::text, '|' ORDER BY id)) FROM people p")
        return str(row.fetchone())


def _masking_db(make_db, tmp_path: Path) -> tuple[str, Path]:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    mark_clone(dsn)
    return dsn, rules


def _dbrefresh_sessions(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'dbrefresh'"
        ).fetchone()
    return int(row[0]) if row else 0


def _anonymize_in_a_process(dsn: str, rules: Path) -> subprocess.Popen[str]:
    """`dbrefresh anonymize` blocked on a lock: wait until its swap session waits."""
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dbrefresh"),
            "anonymize",
            str(rules),
            "--dsn",
            dsn,
            "--seed",
            "abort",
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while _dbrefresh_sessions(dsn) == 0:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    return proc


def test_an_abort_cancels_a_swap_waiting_for_its_lock(
    make_db, tmp_path: Path, abort_on_alarm: None
) -> None:
    """The swap waits for a lock another session holds; the abort arrives meanwhile. The
    pool used to wait for the running job (here, until the lock went: minutes on a real
    table's chunk or swap) before the abort could take effect."""
    dsn, rules = _masking_db(make_db, tmp_path)
    before = _rows(dsn)

    holder = psycopg.connect(dsn)
    holder.execute("SELECT count(*) FROM people")  # ACCESS SHARE until the transaction ends
    release = threading.Timer(20.0, holder.rollback)  # unfixed, the swap ran after this
    release.start()
    try:
        signal.alarm(1)
        started = time.monotonic()
        with pytest.raises(Aborted):
            anonymize(dsn, [rules], seed="abort", progress=False)
        elapsed = time.monotonic() - started
    finally:
        release.cancel()
        holder.close()

    assert elapsed < 10, f"the abort took {elapsed:.1f}s to take effect"
    assert _rows(dsn) == before  # the cancelled swap rolled back: nothing changed
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active'"
        ).fetchone()
        masked = conn.execute("SELECT count(*) FROM dbrefresh.masked_relations").fetchone()
    assert left == (0,) and masked == (0,)


def test_sigterm_to_the_cli_cancels_and_changes_nothing(make_db, tmp_path: Path) -> None:
    dsn, rules = _masking_db(make_db, tmp_path)
    before = _rows(dsn)
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT count(*) FROM people")  # the swap waits for this lock
        proc = _anonymize_in_a_process(dsn, rules)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 3, err
        assert "terminated by signal SIGTERM" in err and "Traceback" not in err
        assert _dbrefresh_sessions(dsn) == 0  # while the lock is still held
    assert _rows(dsn) == before


def test_a_killed_cli_leaves_no_statement_running(make_db, tmp_path: Path) -> None:
    """SIGKILL runs no handler: the server itself notices the lost client
    (client_connection_check_interval) instead of running the statement to its end."""
    dsn, rules = _masking_db(make_db, tmp_path)
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT count(*) FROM people")
        proc = _anonymize_in_a_process(dsn, rules)
        time.sleep(0.5)
        proc.kill()
        proc.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while _dbrefresh_sessions(dsn) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _dbrefresh_sessions(dsn) == 0
