"""A staging server that fails to start is explained by the file it really logged to."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend, localstartlog
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


def test_without_current_logfiles_the_redirect_notice_names_the_directory(
    tmp_path: Path,
) -> None:
    """current_logfiles missing (or stale): the newest file written since the start in
    the directory the -l file's redirect notice names; an older one is not this start's."""
    data = tmp_path / "data"
    logs = data / "my logs"
    logs.mkdir(parents=True)
    old, new = logs / "old.log", logs / "new.log"
    old.write_text("FATAL:  from last week\n")
    new.write_text("FATAL:  could not load pg_hba.conf\n")
    began = time.time()
    os.utime(old, (began - 7 * 86400, began - 7 * 86400))
    (data / "current_logfiles").write_text("stderr my logs/old.log\n")
    os.utime(data / "current_logfiles", (began - 7 * 86400, began - 7 * 86400))
    notice = 'HINT:  Future log output will appear in directory "my logs".'
    assert localstartlog.collector_files(data, began, notice) == [new]
    assert localstartlog.collector_files(data, began, "") == []
