"""A staging whose configuration was broken since its last start (edited, not reloaded)
is refused before anything is copied, and the swap checks the new data's configuration
again before it stops staging. Both used to show only when the swap restarted staging:
its configuration, copied into the new data and used by the rollback, broke both
starts (STAGING IS DOWN)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import Production, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend

BROKEN = "shared_buffers = 32MBB\n"


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("staging-config")


@pytest.fixture
def conf(setup: Setup) -> Iterator[Path]:
    path = setup.staging.data_dir / "postgresql.conf"
    good = path.read_text()
    yield path
    path.write_text(good)
    setup.write_config()


def test_a_broken_staging_configuration_is_refused_before_anything_is_copied(
    setup: Setup, conf: Path
) -> None:
    before, siblings = setup.refreshed_by(), setup.siblings()
    line = len(conf.read_text().splitlines()) + 1
    conf.write_text(conf.read_text() + BROKEN)
    proc = setup.cli("run")
    said = proc.stdout + proc.stderr
    assert proc.returncode == 2, said
    assert 'invalid value for parameter "shared_buffers": "32MBB"' in proc.stderr, said
    assert f"{conf}:{line}: shared_buffers = '32MBB'" in proc.stderr, said
    assert "Traceback" not in said and "STAGING IS DOWN" not in said
    assert not (setup.state_dir / "runs").exists() or not list((setup.state_dir / "runs").iterdir())
    assert setup.siblings() == siblings
    assert setup.refreshed_by() == before and setup.query("SELECT 1") == [(1,)]


def test_without_pg_file_settings_the_refusal_says_why_no_line_is_given(
    setup: Setup, conf: Path
) -> None:
    """A target.dsn role that may not read pg_file_settings: the server's words still
    name the setting; the message says why the line is missing."""
    with psycopg.connect(setup.staging.dsn(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS plain")
        conn.execute("CREATE ROLE plain LOGIN")
    conf.write_text(conf.read_text() + BROKEN)
    plain = setup.staging.dsn(user="plain")
    setup.config.write_text(config_text(setup).replace(setup.staging.dsn(), plain))
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'invalid value for parameter "shared_buffers"' in proc.stderr
    assert "plain may not read pg_file_settings" in proc.stderr


def test_a_configuration_broken_during_the_run_stops_the_swap_before_staging_stops(
    setup: Setup, conf: Path
) -> None:
    before = setup.refreshed_by()
    proc = setup.run_appending_at_backup("postgresql.conf", BROKEN)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 2, said
    assert "with staging's configuration copied in, would not start" in proc.stderr, said
    assert "STAGING IS DOWN" not in said
    assert setup.refreshed_by() == before  # still running, on its own data
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving() and backend.leftovers() == []
    assert backend.target.previous_runs() == []


def test_a_rollback_to_kept_data_that_would_not_start_leaves_staging_serving(
    setup: Setup, conf: Path
) -> None:
    """The kept copy's configuration is checked before the rollback stops staging."""
    assert setup.cli("run").returncode == 0
    backend = load_backend(config_mod.load(setup.config))
    (run_id,) = backend.target.previous_runs()
    serving = setup.refreshed_by()
    kept = setup.staging.data_dir.parent / f".dbrefresh-{run_id}.prev" / "postgresql.conf"
    good = kept.read_text()
    kept.write_text(good + BROKEN)
    try:
        proc = setup.cli("rollback")
        said = proc.stdout + proc.stderr
        assert proc.returncode == 2, said
        assert f"the data kept for run {run_id} would not start" in proc.stderr, said
        assert "STAGING IS DOWN" not in said and "Traceback" not in said
        assert setup.refreshed_by() == serving  # not stopped, still this run's data
        assert backend.target.is_serving() and backend.target.previous_runs() == [run_id]
    finally:
        kept.write_text(good)
    assert setup.cli("rollback").returncode == 0  # once mended, the rollback works
    assert setup.refreshed_by() != serving


def test_a_staging_keeping_its_socket_in_its_data_directory_refreshes(
    setup: Setup, conf: Path
) -> None:
    """The swap copies staging's own files into the new data while staging runs (so the
    result is checked before staging stops): a unix socket there (unix_socket_directories
    naming the data directory) is the server's, not a file to copy."""
    good = conf.read_text()
    sockets = f"unix_socket_directories = '{setup.staging.socket_dir},.'\n"
    conf.write_text(good + sockets)
    setup.staging.stop()
    setup.staging.start()
    try:
        assert list(setup.staging.data_dir.glob(".s.PGSQL.*"))
        proc = setup.cli("run")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert setup.refreshed_by() is not None
    finally:
        conf.write_text(good)
        setup.staging.stop()
        setup.staging.start()
