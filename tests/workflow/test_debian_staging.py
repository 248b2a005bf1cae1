"""Staging with Debian's layout: postgresql.conf, pg_hba.conf and pg_ident.conf in a
directory of their own (/etc/postgresql/15/main), the data directory holding none. The
local backend started staging with `pg_ctl -D data`, which found no postgresql.conf:
staging did not come back after the swap. With local.target_config_file it starts with
that file, serves the swapped-in copy, and a rollback brings the old data back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import servers_root

from dbrefresh.backends import localfiles
from dbrefresh.backends.base import SnapshotRef
from dbrefresh.backends.local import Layout, LocalClones, LocalTarget
from dbrefresh.backends.localpg import free_port
from dbrefresh.config import LocalBackendConfig
from dbrefresh.demo.servers import tools
from dbrefresh.errors import UsageError


@pytest.fixture
def root() -> Iterator[Path]:
    yield from servers_root("dbrefresh-debian")


def _debian_staging(root: Path) -> tuple[Path, Path, str]:
    """An initdb'd staging whose configuration lives in root/etc: (data, conf, dsn)."""
    pg = tools()
    data, etc = root / "staging", root / "etc"
    pg.initdb(data)
    etc.mkdir()
    for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        shutil.move(data / name, etc / name)
    port, sock = free_port(), pg.own_dir(root / "sock", mode=0o755)
    with (etc / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(
            f"data_directory = '{data}'\nhba_file = '{etc}/pg_hba.conf'\n"
            f"ident_file = '{etc}/pg_ident.conf'\nport = {port}\n"
            f"unix_socket_directories = '{sock}'\nlisten_addresses = ''\n"
        )
    pg.own_dir(etc, mode=0o755)
    for entry in etc.iterdir():
        pg.own_file(entry)
    return data, etc / "postgresql.conf", f"host={sock} port={port} user=postgres dbname=postgres"


def _databases(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_a_staging_configured_outside_its_data_directory_is_swapped_and_rolled_back(
    root: Path,
) -> None:
    pg = tools()
    data, conf, dsn = _debian_staging(root)
    settings = LocalBackendConfig(
        target_data_dir=data, work_dir=root / "work", target_config_file=conf
    )
    layout = Layout(settings)
    target = LocalTarget(pg, layout, dsn)
    target.ensure_serving()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE old_staging")
    # the refreshed copy: a production without postgresql.conf of its own (Debian too)
    clone = layout.sibling("run1", "clone")
    pg.initdb(clone)
    (clone / "postgresql.conf").unlink()
    LocalClones(pg, layout).create_clone("run1", SnapshotRef("run1", str(clone)))
    port = free_port()
    pg.start(
        clone,
        log_file=root / "clone.log",
        options={"port": str(port), "unix_socket_directories": str(root / "sock")},
    )
    with psycopg.connect(
        f"host={root / 'sock'} port={port} user=postgres", autocommit=True
    ) as conn:
        conn.execute("CREATE DATABASE from_production")
    pg.stop(clone)

    target.swap("run1")
    assert target.is_serving()
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SHOW config_file").fetchone() == (str(conf),)
    assert "from_production" in _databases(dsn)
    assert "old_staging" not in _databases(dsn)

    target.rollback("run1")
    assert {"old_staging"} <= _databases(dsn) and "from_production" not in _databases(dsn)
    pg.stop(data)


def test_a_config_file_for_another_data_directory_is_refused(root: Path) -> None:
    conf = root / "postgresql.conf"
    conf.write_text("port = 5433\ndata_directory = '/var/lib/postgresql/15/main'\n")
    with pytest.raises(UsageError, match="data_directory = '/var/lib/postgresql/15/main'"):
        localfiles.check_config_file(conf, root / "staging")
    with pytest.raises(UsageError, match="cannot read"):
        localfiles.check_config_file(root / "missing.conf", root / "staging")
    conf.write_text(f"data_directory='{root}/staging'  # ours\n")
    localfiles.check_config_file(conf, root / "staging")  # names staging: accepted
