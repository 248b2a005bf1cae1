"""Shared fixtures: a real PostgreSQL server, fresh databases, the Chinook sample.

`pg` keeps pytest-docker-fixtures' contract (a (host, port) pair, user postgres) and picks
its server: POSTGRESQL=host:port if set; else a container through pytest-docker-fixtures
when a Docker engine answers; else a server from the local PostgreSQL binaries through
pytest-postgresql (run as the `postgres` OS user when we are root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from pytest_postgresql import factories

from dbrefresh.db import with_database
from dbrefresh.workflow.sqlutil import create_database, drop_database

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
CHINOOK_SQL = SHARED / "datasets" / "chinook.sql"

# Commands the tests start (`dbrefresh ...`, `python -c ...`) run this checkout's code,
# not whichever checkout the virtualenv's editable install points at.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])]
)

local_pg_proc = factories.postgresql_proc(
    executable=str(HERE / "pg_ctl_as_postgres"),
    port=None,
    postgres_options="-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
    "-c max_connections=200",
)


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def pg(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    """(host, port) of a PostgreSQL server reachable as user postgres without password."""
    if os.environ.get("POSTGRESQL"):
        host, port = os.environ["POSTGRESQL"].split(":")
        yield host, int(port)
    elif _docker_answers():
        from pytest_docker_fixtures import pg_image

        host, port = pg_image.run()
        yield host, int(port)
        pg_image.stop()
    else:
        proc = request.getfixturevalue("local_pg_proc")
        yield proc.host, int(proc.port)


@pytest.fixture(scope="session")
def admin_dsn(pg: tuple[str, int]) -> str:
    host, port = pg
    return f"host={host} port={port} user=postgres dbname=postgres"


@pytest.fixture
def make_db(admin_dsn: str) -> Iterator[Callable[..., str]]:
    """Factory: a new empty database (or a copy of a template); returns its DSN."""
    created: list[str] = []

    def make(template: str | None = None, prefix: str = "t", name: str | None = None) -> str:
        if name is None:
            name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        else:  # an exact name (what a rules file's `database:` says): one at a time
            drop_database(admin_dsn, name)
        create_database(admin_dsn, name, template)
        created.append(name)
        return with_database(admin_dsn, name)

    yield make
    for name in created:
        drop_database(admin_dsn, name)


@pytest.fixture(scope="session")
def chinook_template(admin_dsn: str) -> str:
    """Database name of a template holding the Chinook sample (loaded once per session)."""
    name = "chinook_tmpl"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if exists:
        return name
    drop_database(admin_dsn, "chinook")
    host = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    env = {
        **os.environ,
        "PGHOST": str(host["host"]),
        "PGPORT": str(host["port"]),
        "PGUSER": "postgres",
    }
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-f", str(CHINOOK_SQL)],
        check=True,
        env=env,
        capture_output=True,
    )
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE chinook RENAME TO {}").format(sql.Identifier(name)))
    return name


@pytest.fixture
def chinook_dsn(make_db: Callable[..., str], chinook_template: str) -> str:
    """A fresh copy of Chinook for one test, named as rules/chinook.yaml's `database:`."""
    return make_db(template=chinook_template, name="chinook")
