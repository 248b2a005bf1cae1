"""Tables production keeps in a schema named `dbrefresh` refuse the run: coverage,
masking and verify leave that schema out (dbrefresh installs its own objects there),
so they used to reach staging unmasked."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import psycopg
import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.workflow import ownschema


def _exec(dsn: str, *statements: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        # production's guard refuses DDL except as a replica (tests/workflow/conftest.py)
        conn.execute("SET session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="module")
def own_schema_tables(production: Production) -> Iterator[None]:
    dsn = production.server.dsn
    for db, table in (("shop", "leads"), ("template1", "vip2")):
        _exec(
            dsn(db),
            "CREATE SCHEMA dbrefresh",
            f"CREATE TABLE dbrefresh.{table} (email text)",
            f"INSERT INTO dbrefresh.{table} VALUES ('lead.person@leads.example')",
            # one of dbrefresh's own names, left by a database restored from a clone
            "CREATE TABLE dbrefresh.refresh_info (run_id text)",
        )
    try:
        yield
    finally:
        for db in ("shop", "template1"):
            _exec(dsn(db), "DROP SCHEMA dbrefresh CASCADE")


def test_tables_in_a_production_schema_named_dbrefresh_refuse_the_run(
    make_setup: Callable[[str], Setup], own_schema_tables: None
) -> None:
    setup = make_setup("ownschema")
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "shop: dbrefresh.leads" in proc.stderr
    assert "template1: dbrefresh.vip2" in proc.stderr
    assert "refresh_info" not in proc.stderr.split("staging untouched")[-1]
    assert setup.refreshed_by() is None
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []
    assert backend.target.is_serving()


def test_own_tables_are_the_ones_the_schema_file_creates() -> None:
    text = (REPO / "sql" / "schema.sql").read_text()
    created = set(re.findall(r"CREATE TABLE IF NOT EXISTS dbrefresh\.(\w+)", text))
    assert created == ownschema.OWN_TABLES
