"""A staging server that fails to start is explained by the file it really logged to."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.errors import InfraError

COLLECTOR = """
logging_collector = on
log_directory = 'collected'
log_filename = 'staging-%Y%m%d.log'
"""
MISSING_HBA = "hba_file = '/nonexistent/dbrefresh/pg_hba.conf'\n"


def test_a_failed_start_quotes_the_logging_collectors_file(
    make_setup: Callable[[str], Setup], production: Production
) -> None:
    """With logging_collector on, pg_ctl's -l file (target_log) only says "redirecting
    log output to logging collector process": the reason is in log_directory."""
    setup = make_setup("start-log")
    data = setup.staging.data_dir
    setup.staging.stop()
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(COLLECTOR)
    auto = data / "postgresql.auto.conf"
    good = auto.read_text()
    auto.write_text(good + MISSING_HBA)  # read after the collector started
    backend = load_backend(config_mod.load(setup.config))
    with pytest.raises(InfraError) as failed:
        backend.target.ensure_serving()
    message = str(failed.value)
    assert "redirecting log output to logging collector process" in message  # target_log
    assert f"--- server log {data / 'collected'}/staging-" in message
    assert "could not load pg_hba.conf" in message
    assert '"/nonexistent/dbrefresh/pg_hba.conf": No such file or directory' in message
    auto.write_text(good)
    backend.target.ensure_serving()
    assert backend.target.is_serving()
    assert setup.query("SELECT 1") == [(1,)]
