"""The local temporary server on a real data directory: what it runs with, and what not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import servers_root

from dbrefresh.backends.base import CloneRef, TempServerSpec
from dbrefresh.backends.local import Layout, LocalTempServer
from dbrefresh.config import LocalBackendConfig
from dbrefresh.demo.servers import tools


@pytest.fixture
def root() -> Iterator[Path]:
    yield from servers_root("dbrefresh-tempserver")


def test_temp_server_runs_cut_off_and_without_scheduled_jobs(root: Path) -> None:
    """Nothing the clone carries from production may act before isolation: no TCP
    listener, no WAL archiving, no subscription worker, no pg_cron job; and none of
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
                    "listen_addresses",
                    "archive_mode",
                    "max_logical_replication_workers",
                    "fsync",
                )
            }
        assert shown == {
            "cron.launch_active_jobs": ("off",),
            "listen_addresses": ("",),
            "archive_mode": ("off",),
            "max_logical_replication_workers": ("0",),
            "fsync": ("off",),
        }
    finally:
        server.stop("run1")
    assert (clone / "postgresql.conf").read_text() == conf_before
    assert not (clone / "postgresql.auto.conf").read_text().count("cron")
