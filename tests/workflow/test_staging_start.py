"""Staging is started again after a shutdown that was under way (an interrupted swap)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend


def _postmaster_pid(setup: Setup) -> str:
    return (setup.staging.data_dir / "postmaster.pid").read_text().splitlines()[0]


def _status(setup: Setup) -> str:
    lines = (setup.staging.data_dir / "postmaster.pid").read_text().splitlines()
    return lines[7].strip() if len(lines) > 7 else ""


def test_a_shutdown_in_progress_is_waited_for_then_staging_starts(
    make_setup: Callable[[str], Setup], production: Production
) -> None:
    """A SIGTERM during the swap's stop compensates with ensure_serving while staging's
    shutdown is still under way: pg_ctl status says "running", the start was skipped,
    and the server then exited, leaving staging down. A smart shutdown held open by a
    client session makes "under way" last as long as the test needs (a fast one's
    checkpoint may end before anyone looks)."""
    setup = make_setup("restart")
    backend = load_backend(config_mod.load(setup.config))
    before = _postmaster_pid(setup)
    data = str(setup.staging.data_dir)
    client = psycopg.connect(setup.staging.dsn("shop"), autocommit=True)
    client.execute("CREATE TABLE served AS SELECT 42 AS answer")
    try:
        setup.staging.tools.run(["pg_ctl", "stop", "-m", "smart", "-W", "-D", data])
        # -W returns once the signal is sent: the postmaster marks itself soon after
        deadline = time.monotonic() + 30
        while _status(setup) != "stopping" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _status(setup) == "stopping"  # waiting for the client to leave
        leave = threading.Timer(1.0, client.close)
        leave.start()
        backend.target.ensure_serving()
        leave.join()
    finally:
        client.close()
    assert backend.target.is_serving()
    assert _postmaster_pid(setup) != before
    assert setup.query("SELECT answer FROM served") == [(42,)]  # the same data, served
