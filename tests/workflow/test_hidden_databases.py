"""Databases production keeps closed (datallowconn = false) and templates holding tables
hold personal data like any other: a refresh masks, drops or refuses each of them.

They used to reach staging untouched: the workflow only listed databases that accept
connections and are not templates.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from wfsupport import Production, Setup, config_text, shop_rules

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.db import with_database
from dbrefresh.workflow import clusterdbs
from dbrefresh.workflow.bytesearch import search_tree
from dbrefresh.workflow.journal import Journal

ARCHIVE_RULES = """version: 1
database: archive
defaults: {unlisted_columns: fail, seed_env: DBREFRESH_SEED}
tables:
  public.old_customers:
    columns:
      id: keep
      email: {strategy: email, unique: true}
"""
ATTIC_RULES = """version: 1
database: attic
defaults: {unlisted_columns: fail, seed_env: DBREFRESH_SEED}
tables:
  public.letters:
    columns:
      id: keep
      email: {strategy: email, unique: true}
"""

WAREHOUSE_RULES = """version: 1
database: warehouse
defaults: {unlisted_columns: fail, seed_env: DBREFRESH_SEED}
tables:
  public.stock_levels: keep
"""


def _emails(tag: str) -> list[str]:
    return [f"{tag}-{i}-{secrets.token_hex(4)}@example.org" for i in range(20)]


def _exec(dsn: str, *statements: str | sql.Composable) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _table_with(dsn: str, table: str, emails: list[str]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, email text)")
        conn.cursor().executemany(
            f"INSERT INTO {table} VALUES (%s, %s)", list(enumerate(emails, start=1))
        )


@pytest.fixture(scope="module")
def hidden(production: Production) -> Iterator[dict[str, list[str]]]:
    """Production with a closed database covered by rules (archive), a closed one
    covered by none (attic), a `vip` table in template1 and a template holding a table
    (legacy_tpl); all undone afterwards (the other modules share production)."""
    dsn = production.server.dsn
    originals = {db: _emails(db) for db in ("archive", "attic", "template1", "legacy_tpl")}
    _exec(dsn(), "CREATE DATABASE archive", "CREATE DATABASE attic", "CREATE DATABASE legacy_tpl")
    _table_with(dsn("archive"), "old_customers", originals["archive"])
    _table_with(dsn("attic"), "letters", originals["attic"])
    _table_with(dsn("template1"), "vip", originals["template1"])
    _table_with(dsn("legacy_tpl"), "customers", originals["legacy_tpl"])
    _exec(
        dsn(),
        "ALTER DATABASE archive ALLOW_CONNECTIONS false",
        "ALTER DATABASE attic ALLOW_CONNECTIONS false",
        "ALTER DATABASE legacy_tpl IS_TEMPLATE true",
    )
    try:
        yield originals
    finally:
        _exec(dsn("template1"), "DROP TABLE IF EXISTS vip")
        _exec(
            dsn(),
            "ALTER DATABASE legacy_tpl IS_TEMPLATE false",
            "DROP DATABASE archive",
            "DROP DATABASE attic",
            "DROP DATABASE legacy_tpl",
        )


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], hidden: dict[str, list[str]]) -> Setup:
    setup = make_setup("hidden")
    (setup.dir / "archive.yaml").write_text(ARCHIVE_RULES)
    return setup


def _write_config(setup: Setup, uncovered: str) -> None:
    text = config_text(setup, uncovered=uncovered)
    rules = f"files: [{shop_rules()}]"
    assert rules in text
    setup.config.write_text(text.replace(rules, f"files: [{shop_rules()}, archive.yaml]"))


def _template1_sessions(dsn: str) -> int:
    """Client sessions ever opened in template1 (autovacuum's are not counted), once
    none is open any more: a closing backend reports its session as it exits."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(100):
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute(
                "SELECT numbackends, sessions FROM pg_stat_database WHERE datname = 'template1'"
            ).fetchone()
            assert row is not None
            if row[0] == 0:
                return int(row[1])
            time.sleep(0.05)
    raise AssertionError("a session stays open in template1")


def test_uncovered_closed_databases_and_templates_are_refused(
    setup: Setup, production: Production, hidden: dict[str, list[str]]
) -> None:
    _write_config(setup, "refuse")
    sessions_before = _template1_sessions(production.server.dsn())
    proc = setup.cli("run")  # attic: refused before the snapshot, from production's list
    # and production's template1 never opened: a session there fails a CREATE DATABASE
    assert _template1_sessions(production.server.dsn()) == sessions_before
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "attic" in proc.stderr and "nothing was copied" in proc.stderr, proc.stderr
    assert "archive" not in proc.stderr  # covered by rules
    assert setup.refreshed_by() is None  # staging untouched
    assert load_backend(config_mod.load(setup.config)).leftovers() == []
    # the templates are asked on the copy only (a session in production's template1
    # would fail production's own CREATE DATABASE): with attic covered, the copy refuses
    (setup.dir / "attic.yaml").write_text(ATTIC_RULES)
    (setup.dir / "warehouse.yaml").write_text(WAREHOUSE_RULES)
    text = setup.config.read_text()
    covered = "archive.yaml, attic.yaml, warehouse.yaml]"
    setup.config.write_text(text.replace("archive.yaml]", covered))
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("template1 (a template holding data)", "legacy_tpl (a template"):
        assert name in proc.stderr, proc.stderr
    assert setup.refreshed_by() is None  # staging untouched
    assert load_backend(config_mod.load(setup.config)).leftovers() == []


def test_uncovered_ones_are_dropped_covered_closed_ones_masked_and_closed_again(
    setup: Setup, production: Production, hidden: dict[str, list[str]]
) -> None:
    _write_config(setup, "drop")
    report = json.loads(setup.cli("run", "--json", check=True).stdout)
    steps = {s["name"]: s.get("data", {}) for s in report["steps"]}
    assert sorted(steps["isolate"]["opened_databases"]) == ["archive", "attic"]
    assert steps["finalize"]["closed_again"] == ["archive"]
    databases = {
        name: (allow, template)
        for name, allow, template in setup.query(
            "SELECT datname, datallowconn, datistemplate FROM pg_database", "postgres"
        )
    }
    assert "attic" not in databases and "legacy_tpl" not in databases
    assert databases["archive"] == (False, False)  # closed, as in production
    assert databases["template1"] == (True, True)  # rebuilt empty from template0
    assert setup.query("SELECT to_regclass('public.vip') IS NULL", "template1") == [(True,)]
    # CREATE DATABASE on staging gets no production data through template1
    assert setup.query("SELECT count(*) FROM pg_tables WHERE tablename = 'vip'", "template1") == [
        (0,)
    ]
    # no original value of any of them in any file of staging
    needles = [v.encode() for values in hidden.values() for v in values]
    assert search_tree(setup.staging.data_dir, needles) == []
    # the closed archive was masked (opened here only to look)
    _exec(setup.staging.dsn(), "ALTER DATABASE archive ALLOW_CONNECTIONS true")
    try:
        emails = [e for (e,) in setup.query("SELECT email FROM old_customers", "archive")]
    finally:
        _exec(setup.staging.dsn(), "ALTER DATABASE archive ALLOW_CONNECTIONS false")
    assert len(emails) == 20 and not set(emails) & set(hidden["archive"])
    # production keeps its own flags
    with psycopg.connect(production.server.dsn(), autocommit=True) as conn:
        flags = dict(
            conn.execute(
                "SELECT datname, datallowconn FROM pg_database "
                "WHERE datname IN ('archive', 'attic')"
            ).fetchall()
        )
    assert flags == {"archive": False, "attic": False}


def test_verify_sees_closed_databases_and_templates_with_tables(
    admin_dsn: str, tmp_path: Path
) -> None:
    """Verify's coverage lists what no rule file covers, closed or template; stock
    templates and an empty postgres are not listed."""
    closed, template = f"closed_{uuid.uuid4().hex[:8]}", f"tpl_{uuid.uuid4().hex[:8]}"
    _exec(admin_dsn, f"CREATE DATABASE {closed}", f"CREATE DATABASE {template}")
    try:
        _table_with(with_database(admin_dsn, closed), "people", _emails("c"))
        _table_with(with_database(admin_dsn, template), "people", _emails("t"))
        _exec(
            admin_dsn,
            f"ALTER DATABASE {closed} ALLOW_CONNECTIONS false",
            f"ALTER DATABASE {template} IS_TEMPLATE true",
        )
        journal = Journal(tmp_path, lambda: 0.0)
        assert clusterdbs.open_all(admin_dsn, journal, "r1") == [closed]
        assert clusterdbs.opened_in_run(journal, "r1") == [closed]
        missing = clusterdbs.uncovered(admin_dsn, covered=[])
        assert {closed, template} <= set(missing)
        assert "template1" not in missing and "template0" not in missing
        assert not {closed, template} & set(clusterdbs.uncovered(admin_dsn, [closed, template]))
        assert clusterdbs.close_again(admin_dsn, [closed, "gone_already"]) == [closed]
        with psycopg.connect(admin_dsn) as conn:
            row = conn.execute(
                "SELECT datallowconn FROM pg_database WHERE datname = %s", (closed,)
            ).fetchone()
        assert row == (False,)
    finally:
        _exec(admin_dsn, f"ALTER DATABASE {template} IS_TEMPLATE false")
        _exec(admin_dsn, f"DROP DATABASE IF EXISTS {closed}", f"DROP DATABASE {template}")
