"""A SIGKILLed run's pg_basebackup: its WAL-streaming child survives the run, and
whatever removes or reuses the copy's directory (cleanup, a resumed run) kills it first."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import Production, Setup, config_text

from dbrefresh.backends import localcopy
from dbrefresh.backends.localpg import free_port
from dbrefresh.demo.servers import LocalServer, tools

ROWS = 300_000  # ~330 MB: the copy lasts long enough to be killed halfway


@pytest.fixture(scope="module")
def big_production(base_dir: Path) -> Iterator[LocalServer]:
    server = LocalServer(base_dir / "bigprod", base_dir / "run", free_port(), tools())
    server.create({"max_wal_senders": "4"})
    server.start()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE shop")
        conn.execute("CREATE ROLE app LOGIN")  # the config resets its password
    with psycopg.connect(server.dsn("shop"), autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email text)")
        conn.execute(
            f"INSERT INTO customers SELECT g, repeat('x', 1000) FROM generate_series(1, {ROWS}) g"
        )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def setup(
    make_setup: Callable[[str], Setup], production: Production, big_production: LocalServer
) -> Setup:
    s = make_setup("killedcopy")
    text = config_text(s).replace(production.server.dsn(), big_production.dsn())
    s.config.write_text(text)
    return s


def _walsenders(server: LocalServer) -> int:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_replication").fetchone()
    return int(row[0]) if row else 0


def _kill_during_copy(setup: Setup) -> tuple[Path, dict[int, int]]:
    """SIGKILL `dbrefresh run` once pg_basebackup and its WAL child both run; the
    copy's directory and the pg_basebackup processes that outlived the run."""
    proc = setup.popen("run")
    parent = setup.staging.data_dir.parent
    deadline = time.monotonic() + 120
    while True:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        partials = list(parent.glob(".dbrefresh-*.partial"))
        if partials and len(localcopy.copiers(partials[0])) >= 2:
            break
        time.sleep(0.005)
    proc.kill()
    proc.communicate(timeout=30)
    time.sleep(1)
    return partials[0], localcopy.copiers(partials[0])


def _run_of(partial: Path) -> str:
    return partial.name.removeprefix(".dbrefresh-").removesuffix(".partial")


def _assert_gone(partial: Path, production: LocalServer) -> None:
    assert localcopy.copiers(partial) == {}
    deadline = time.monotonic() + 5
    while _walsenders(production):
        assert time.monotonic() < deadline, "a walsender outlived the killed copy"
        time.sleep(0.05)


def test_cleanup_kills_the_copy_a_sigkilled_run_left(
    setup: Setup, big_production: LocalServer
) -> None:
    partial, survivors = _kill_during_copy(setup)
    assert survivors, "no pg_basebackup outlived the killed run"
    run_id = _run_of(partial)
    pid_file = setup.dir / "work" / run_id / "pg_basebackup.partial.pgid"
    assert set(survivors.values()) == {localcopy.recorded(pid_file)}
    setup.cli("cleanup", check=True)
    _assert_gone(partial, big_production)
    assert not partial.exists()


def test_a_resumed_run_kills_the_copy_before_reusing_its_directory(
    setup: Setup, big_production: LocalServer
) -> None:
    partial, survivors = _kill_during_copy(setup)
    assert survivors
    proc = setup.popen("run", "--resume", _run_of(partial))
    deadline = time.monotonic() + 60
    while set(localcopy.copiers(partial).values()) & set(survivors.values()):
        assert time.monotonic() < deadline, "the resumed run left the old copy running"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    proc.kill()
    proc.communicate(timeout=30)
    setup.cli("cleanup", check=True)
    _assert_gone(partial, big_production)
