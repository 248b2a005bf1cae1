"""Staging is started again after a shutdown that was under way (an interrupted swap)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend


def _postmaster_pid(setup: Setup) -> str:
    return (setup.staging.data_dir / "postmaster.pid").read_text().splitlines()[0]


def test_a_shutdown_in_progress_is_waited_for_then_staging_starts(
    make_setup: Callable[[str], Setup], production: Production
) -> None:
    """A SIGTERM during the swap's stop compensates with ensure_serving while staging's
    shutdown checkpoint still runs: pg_ctl status says "running", the start was skipped,
    and the server then exited, leaving staging down."""
    setup = make_setup("restart")
    backend = load_backend(config_mod.load(setup.config))
    with psycopg.connect(setup.staging.dsn("shop"), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE junk AS SELECT g, md5(g::text) FROM generate_series(1, 1500000) g"
        )
        conn.execute("UPDATE junk SET g = g + 1")  # dirty buffers for the checkpoint
    before = _postmaster_pid(setup)
    data = str(setup.staging.data_dir)
    setup.staging.tools.run(["pg_ctl", "stop", "-m", "fast", "-W", "-D", data])
    pid_file = (setup.staging.data_dir / "postmaster.pid").read_text().splitlines()
    assert pid_file[7].strip() == "stopping"  # the shutdown checkpoint is under way
    backend.target.ensure_serving()
    assert backend.target.is_serving()
    assert _postmaster_pid(setup) != before
    assert setup.query("SELECT count(*) FROM junk") == [(1500000,)]
