"""Servers for the workflow tests, built with the product's own local backend.

One production (the demo shop, small) serves the whole session: the refresh never
writes to it, which the tests check. Each module gets its own staging server.
Data directories live under /var/tmp (reachable by the `postgres` OS user), never in
the checkout.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import Production, Setup, servers_root, setup_production_dsn

from dbrefresh.backends.local import chown_for_server
from dbrefresh.backends.localpg import free_port
from dbrefresh.demo import orchestrate
from dbrefresh.demo.servers import LocalServer, tools

CUSTOMERS = 2000


@pytest.fixture(scope="session")
def base_dir() -> Iterator[Path]:
    yield from servers_root("dbrefresh-tests")


@pytest.fixture(scope="session")
def production(base_dir: Path) -> Production:
    run = base_dir / "run"
    server = LocalServer(base_dir / "production", run, free_port(), tools())
    password = "prod-" + secrets.token_hex(12)
    orchestrate.build_production(server, CUSTOMERS, password)
    tablespace = base_dir / "production_tablespace"
    tablespace.mkdir()
    chown_for_server(tablespace)
    with psycopg.connect(server.dsn("shop"), autocommit=True) as conn:
        # a materialized view that only production can refresh: the clone empties it
        conn.execute(PRODUCTION_ONLY_VIEW)
        # a masked table and an index in a tablespace: copies must not write to its
        # location (production's own), and their tablespaces must follow their data
        conn.execute(f"CREATE TABLESPACE {TABLESPACE} LOCATION '{tablespace}'")
        conn.execute(f"ALTER TABLE reviews SET TABLESPACE {TABLESPACE}")
        conn.execute(f"ALTER INDEX reviews_pkey SET TABLESPACE {TABLESPACE}")
        if GUARD_DDL:  # last: from now on no DDL gets through, unless as a replica
            conn.execute(MIGRATIONS_ONLY)
    return Production(server, password)


TABLESPACE = "shop_fast"
PRODUCTION_ONLY_VIEW = """
CREATE FUNCTION production_only() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('dbrefresh.clone_marker') IS NOT NULL THEN
    RAISE EXCEPTION 'the ledger link exists in production only';
  END IF;
  RETURN (SELECT count(*) FROM customers);
END $$;
CREATE MATERIALIZED VIEW ledger_summary AS SELECT production_only() AS customers;
"""


# A guard production teams put on their databases; the clone carries it, and the
# refresh's own DDL (marker, isolation, masking, finalize) must get through. The gate
# tests, which run migrations on staging, turn it off in their copy of this module.
GUARD_DDL = True
MIGRATIONS_ONLY = """
CREATE FUNCTION migrations_only() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'DDL is only allowed through migrations'; END $$;
CREATE EVENT TRIGGER migrations_only ON ddl_command_start EXECUTE FUNCTION migrations_only();
"""


@pytest.fixture(scope="module")
def make_setup(base_dir: Path, production: Production) -> Callable[[str], Setup]:
    setup_production_dsn[0] = production.server.dsn()

    def make(name: str) -> Setup:
        directory = base_dir / name
        directory.mkdir(parents=True, exist_ok=True)
        staging = LocalServer(directory / "staging", base_dir / "run", free_port(), tools())
        orchestrate.build_staging(staging)
        password = "stg-" + secrets.token_hex(12)
        (directory / "secrets").mkdir(exist_ok=True)
        (directory / "secrets" / "seed").write_text("test-seed\n")
        (directory / "secrets" / "app").write_text(password + "\n")
        setup = Setup(directory, staging, directory / "dbrefresh.yaml", password)
        setup.write_config()
        return setup

    return make
