"""The local temporary server on a real data directory: what it runs with, and what not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import servers_root

from dbrefresh.backends.base import CloneRef, SnapshotRef, TempServerSpec
from dbrefresh.backends.local import Layout, LocalClones, LocalTempServer
from dbrefresh.config import LocalBackendConfig
from dbrefresh.demo.servers import tools


@pytest.fixture
def root() -> Iterator[Path]:
    yield from servers_root("dbrefresh-tempserver")


def test_temp_server_runs_cut_off_and_without_scheduled_jobs(root: Path) -> None:
    """Nothing the clone carries from production may act before isolation: no TCP
    listener, no WAL archiving, no subscription worker, no pg_cron or TimescaleDB job; and none of
    it is written into the clone's own configuration (staging starts with production's)."""
    pg = tools()
    clone = root / "dbrefresh-run1.clone"
    pg.initdb(clone)
    conf_before = (clone / "postgresql.conf").read_text()
    layout = Layout(LocalBackendConfig(target_data_dir=root / "target", work_dir=root / "work"))
    server = LocalTempServer(pg, layout, "postgres")
    dsn = server.start("run1", CloneRef("c1", str(clone)), TempServerSpec())
    try:
        with psycopg.connect(dsn) as conn:
            shown = {
                name: conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()
                for name in (
                    "cron.launch_active_jobs",
                    "timescaledb.max_background_workers",
                    "listen_addresses",
                    "archive_mode",
                    "max_logical_replication_workers",
                    "fsync",
                )
            }
        assert shown == {
            "cron.launch_active_jobs": ("off",),
            "timescaledb.max_background_workers": ("0",),
            "listen_addresses": ("",),
            "archive_mode": ("off",),
            "max_logical_replication_workers": ("0",),
            "fsync": ("off",),
        }
    finally:
        server.stop("run1")
    assert (clone / "postgresql.conf").read_text() == conf_before
    assert not (clone / "postgresql.auto.conf").read_text().count("cron")


def test_a_clone_without_postgresql_conf_starts(root: Path) -> None:
    """A Debian-style production keeps postgresql.conf in /etc: its pg_basebackup has
    none, and the temporary server refused to start. The clone gets an empty one (the
    temporary server's settings come from its command line)."""
    pg = tools()
    layout = Layout(LocalBackendConfig(target_data_dir=root / "target", work_dir=root / "work"))
    clone = layout.sibling("run2", "clone")
    pg.initdb(clone)
    (clone / "postgresql.conf").unlink()
    ref = LocalClones(pg, layout).create_clone("run2", SnapshotRef("run2", str(clone)))
    server = LocalTempServer(pg, layout, "postgres")
    dsn = server.start("run2", ref, TempServerSpec())
    try:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
    finally:
        server.stop("run2")
    assert (clone / "postgresql.conf").read_text().startswith("#")
