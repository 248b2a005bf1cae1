"""Materialized views store their query's rows: after masking, none may keep originals."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, run_cli

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text);
INSERT INTO customers
SELECT i, format('person%s@corp.example', i), format('Name %s', i) FROM generate_series(1, 300) i;
CREATE TABLE sessions (id int PRIMARY KEY, token text NOT NULL);
INSERT INTO sessions SELECT i, md5(i::text) FROM generate_series(1, 50) i;
CREATE TABLE products (id int PRIMARY KEY, title text NOT NULL);
INSERT INTO products SELECT i, format('Product %s', i) FROM generate_series(1, 20) i;
CREATE MATERIALIZED VIEW customer_emails AS SELECT id, email FROM customers;
CREATE UNIQUE INDEX customer_emails_id ON customer_emails (id);
GRANT SELECT ON customer_emails TO PUBLIC;
CREATE VIEW named AS SELECT id, name FROM customers;
CREATE MATERIALIZED VIEW names_via_view AS SELECT name FROM named;
CREATE MATERIALIZED VIEW email_stats AS SELECT count(*) AS n, max(email) AS last_email
  FROM customer_emails;
CREATE MATERIALIZED VIEW never_filled AS SELECT email FROM customers WITH NO DATA;
CREATE MATERIALIZED VIEW live_tokens AS SELECT token FROM sessions;
CREATE MATERIALIZED VIEW product_titles AS SELECT title FROM products;
-- reads customers through a function the catalog cannot see into, and fails in the clone
CREATE TABLE switches (fail boolean NOT NULL);
INSERT INTO switches VALUES (false);
CREATE FUNCTION guarded_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT fail FROM switches) THEN RAISE EXCEPTION 'reporting server unreachable'; END IF;
  RETURN (SELECT count(*) FROM customers);
END $$;
CREATE MATERIALIZED VIEW opaque_count AS
  SELECT guarded_count() AS n, 'person1@corp.example' AS seen;
UPDATE switches SET fail = true;
"""

RULES = """version: 1
tables:
  public.customers:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      name: full_name
  public.sessions: truncate
  public.products: keep
  public.switches: keep
"""


@pytest.fixture
def views_db(make_db, tmp_path: Path) -> tuple[str, Path]:
    return db_with_rules(make_db, tmp_path, SCHEMA, RULES, "views.yaml")


def _identity(conn: psycopg.Connection) -> dict[str, tuple]:
    rows = conn.execute(
        "SELECT c.relname, c.oid::int, c.relacl::text, "
        "(SELECT array_agg(i.indexrelid::int) FROM pg_index i WHERE i.indrelid = c.oid) "
        "FROM pg_class c WHERE c.relkind = 'm' ORDER BY 1"
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _filenode(conn: psycopg.Connection, view: str) -> int:
    return conn.execute("SELECT pg_relation_filenode(%s::regclass)", (view,)).fetchone()[0]


def test_views_over_masked_data_are_refreshed_in_order(views_db, capsys) -> None:
    dsn, rules = views_db
    plan = build_plan(dsn, [rules])
    names = [v.relation for v in plan.refresh_views]
    # populated views reading changed or opaque data; dependencies first; the view over
    # a kept table and the never-populated one are left alone
    assert sorted(names) == [
        "public.customer_emails",
        "public.email_stats",
        "public.live_tokens",
        "public.names_via_view",
        "public.opaque_count",
    ]
    assert names.index("public.customer_emails") < names.index("public.email_stats")
    assert 'REFRESH MATERIALIZED VIEW "public"."email_stats";' in plan.to_sql()
    with psycopg.connect(dsn) as conn:
        before = _identity(conn)
        untouched = _filenode(conn, "product_titles")
    mark_clone(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "mv")
    assert result.code == 0, result.err
    assert "4 materialized view(s) refreshed" in result.out
    assert "warning: materialized view public.opaque_count emptied" in result.out
    assert "reporting server unreachable" in result.out
    with psycopg.connect(dsn) as conn:
        # the stored rows are the masked ones, joins with the table intact
        assert conn.execute(
            "SELECT count(*) FROM customer_emails v JOIN customers c USING (id, email)"
        ).fetchone() == (300,)
        assert conn.execute(
            "SELECT count(*) FROM names_via_view WHERE name LIKE 'Name %'"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT n, last_email = (SELECT max(email) FROM customers) FROM email_stats"
        ).fetchone() == (300, True)
        assert conn.execute("SELECT count(*) FROM live_tokens").fetchone() == (0,)
        populated = dict(
            conn.execute(
                "SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm'"
            ).fetchall()
        )
        assert populated["opaque_count"] is False  # emptied: its rows predate masking
        assert populated["never_filled"] is False
        assert _filenode(conn, "product_titles") == untouched
        # same OIDs, grants and indexes: a refresh, not a re-creation
        assert _identity(conn) == before
    report = verify_report(dsn, [rules], seed="mv")
    assert report.findings == []


def test_verify_names_a_view_not_refreshed_since_masking(views_db) -> None:
    dsn, rules = views_db
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="mv", progress=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # what a run that died between the swaps and the refreshes leaves
        conn.execute("DELETE FROM dbrefresh.refreshed_views WHERE relation = 'public.email_stats'")
    report = verify_report(dsn, [rules], seed="mv")
    assert [(f.code, f.location.key) for f in report.findings] == [
        ("stale-view", "public.email_stats")
    ]
    anonymize(dsn, [rules], seed="mv", progress=False)  # the re-run refreshes it
    assert verify_report(dsn, [rules], seed="mv").findings == []


def test_a_view_over_a_partitioned_parent_follows_its_masked_partitions() -> None:
    """pg_depend names the parent; the plan rewrites its leaf partitions."""
    from dbrefresh.catalog import Catalog, Derived, Table
    from dbrefresh.rules.views import views_to_refresh

    catalog = Catalog(database="shop", server_version=150000)
    for name, kind, parent in [
        ("events", "p", None),
        ("events_2024", "r", "public.events"),
        ("products", "r", None),
    ]:
        catalog.tables[f"public.{name}"] = Table(0, "public", name, kind, parent, 0, 0)
    catalog.derived = {
        "public.by_day": Derived("public.by_day", "m", True, ("public.events",), False),
        "public.catalogue": Derived("public.catalogue", "m", True, ("public.products",), False),
        "public.recent": Derived("public.recent", "v", True, ("public.by_day",), False),
        "public.top": Derived("public.top", "m", True, ("public.recent",), False),
    }
    views = views_to_refresh(catalog, ["public.events_2024"])
    assert [(v.relation, v.after) for v in views] == [
        ("public.by_day", ()),
        ("public.top", ("public.by_day",)),  # through the plain view
    ]
