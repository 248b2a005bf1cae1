"""Large objects hold data like tables do: a database holding only large objects (in
`postgres`, a template, a database no rules cover) is refused or dropped like one
holding tables. They used to reach staging unmasked: only tables were counted."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.db import with_database
from dbrefresh.workflow import clusterdbs
from dbrefresh.workflow.bytesearch import search_tree

LOBS = "lobs_only"


def _exec(dsn: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(statement)
        return [tuple(r) for r in cur.fetchall()] if cur.description else []


def _large_object(dsn: str, text: str) -> int:
    rows = _exec(dsn, f"SELECT lo_from_bytea(0, convert_to('{text}', 'UTF8'))")
    return int(rows[0][0])  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def originals(production: Production) -> Iterator[dict[str, str]]:
    """A large object in postgres, in template1 and in a database without tables;
    removed afterwards (the other modules share production)."""
    dsn = production.server.dsn
    _exec(dsn(), f"CREATE DATABASE {LOBS}")
    texts = {
        db: f"lo.person.{secrets.token_hex(6)}@lomail.example"
        for db in ("postgres", "template1", LOBS)
    }
    oids = {db: _large_object(dsn(db), text) for db, text in texts.items()}
    try:
        yield texts
    finally:
        for db, oid in oids.items():
            if db != LOBS:
                _exec(
                    dsn(db),
                    f"SELECT lo_unlink({oid}) FROM pg_largeobject_metadata WHERE oid = {oid}",
                )
        _exec(dsn(), f"DROP DATABASE {LOBS}")


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], originals: dict[str, str]) -> Setup:
    return make_setup("lobs")


def test_uncovered_large_objects_are_refused(setup: Setup) -> None:
    setup.write_config(uncovered="refuse")
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "postgres" in proc.stderr and "large objects" in proc.stderr
    assert setup.refreshed_by() is None
    assert load_backend(config_mod.load(setup.config)).leftovers() == []


def test_large_objects_in_postgres_are_refused_even_under_drop(setup: Setup) -> None:
    setup.write_config(uncovered="drop")
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stderr
    assert "postgres hold tables or large objects" in proc.stderr
    assert setup.refreshed_by() is None


def test_uncovered_databases_with_large_objects_are_dropped(
    setup: Setup, production: Production, originals: dict[str, str]
) -> None:
    _exec(production.server.dsn(), "SELECT lo_unlink(oid) FROM pg_largeobject_metadata")
    setup.write_config(uncovered="drop")
    setup.cli("run", check=True)
    names = {str(r[0]) for r in setup.query("SELECT datname FROM pg_database", "postgres")}
    assert LOBS not in names
    assert setup.query("SELECT count(*) FROM pg_largeobject_metadata", "template1") == [(0,)]
    needles = [text.encode() for text in originals.values()]
    assert search_tree(setup.staging.data_dir, needles) == []


def test_verify_lists_a_template_holding_only_large_objects(admin_dsn: str) -> None:
    name = f"lo_{uuid.uuid4().hex[:8]}"
    _exec(admin_dsn, f"CREATE DATABASE {name} IS_TEMPLATE true")
    try:
        assert name not in clusterdbs.uncovered(admin_dsn, covered=[])
        _large_object(with_database(admin_dsn, name), "someone@example.org")
        assert name in clusterdbs.uncovered(admin_dsn, covered=[])
    finally:
        _exec(admin_dsn, f"ALTER DATABASE {name} IS_TEMPLATE false")
        _exec(admin_dsn, f"DROP DATABASE {name}")
