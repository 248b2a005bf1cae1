"""Legacy inheritance (INHERITS): a parent's truncate or swap never touches its children's
rows, and verify judges the children's fresh statistics as theirs."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from dbrefresh.rules import compiler
from tests.anonymize.helpers import db_with_rules, mask_and_verify

ORDERS = """
CREATE TABLE customers (id int PRIMARY KEY, email text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), note text);
CREATE TABLE orders_archive (archived_at date) INHERITS (orders);
INSERT INTO customers SELECT g, 'c' || g || '@corp.test' FROM generate_series(1, 10) g;
INSERT INTO orders SELECT g, g, 'note' || g FROM generate_series(1, 10) g;
INSERT INTO orders_archive SELECT 100 + g, g, 'old' || g, '2020-01-01' FROM generate_series(1, 5) g;
ANALYZE;
"""

ORDERS_RULES = """version: 1
tables:
  public.customers:
    columns: {{id: keep, email: email}}
  public.orders:
    columns: {{id: keep, customer_id: keep, note: lorem}}
  public.orders_archive: {archive}
"""


def _counts(dsn: str, *tables: str) -> list[int]:
    with psycopg.connect(dsn) as conn:
        return [conn.execute(f"SELECT count(*) FROM ONLY {t}").fetchone()[0] for t in tables]


def test_a_swap_keyed_to_another_table_keeps_the_rows_of_a_kept_child(
    make_db, tmp_path: Path
) -> None:
    # customers and orders swap together (a key ties them): one TRUNCATE of both, in
    # which ONLY must bind to orders too, or orders_archive is emptied with it.
    rules = ORDERS_RULES.format(archive="keep")
    dsn, path = db_with_rules(make_db, tmp_path, ORDERS, rules, "orders.yaml")
    report = mask_and_verify(dsn, path)
    assert _counts(dsn, "customers", "orders", "orders_archive") == [10, 10, 5]
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        kept = conn.execute("SELECT note FROM ONLY orders_archive ORDER BY id").fetchall()
    assert [r[0] for r in kept] == [f"old{i}" for i in range(1, 6)]


def test_a_masked_child_keeps_its_rows_and_counts_them(make_db, tmp_path: Path) -> None:
    archive = "\n    columns: {id: keep, customer_id: keep, note: lorem, archived_at: keep}"
    rules = ORDERS_RULES.format(archive=archive)
    dsn, path = db_with_rules(make_db, tmp_path, ORDERS, rules, "orders.yaml")
    mark_clone(dsn)
    done = anonymize(dsn, [path], seed="s", progress=False)
    before = {t.table: t.rows_before for t in done.tables}
    assert before["public.orders_archive"] == 5
    assert _counts(dsn, "customers", "orders", "orders_archive") == [10, 10, 5]
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT count(*) FROM orders WHERE note LIKE 'old%'").fetchone()[0]
    assert left == 0
    assert verify_report(dsn, [path], seed="s").findings == []


PEOPLE = """
CREATE TABLE people (id int, email text);
CREATE TABLE staff (dept text) INHERITS (people);
CREATE TABLE visitors (id int, email text);
CREATE TABLE guests (badge text) INHERITS (visitors);
INSERT INTO people VALUES (1, 'a@corp.test');
INSERT INTO staff VALUES (2, 'b@corp.test', 'ops'), (3, 'c@corp.test', 'ops');
INSERT INTO visitors VALUES (4, 'd@corp.test');
INSERT INTO guests VALUES (5, 'e@corp.test', 'B1'), (6, 'f@corp.test', 'B2');
ANALYZE;
"""


def test_truncating_two_parents_leaves_their_kept_children(make_db, tmp_path: Path) -> None:
    rules = """version: 1
tables:
  public.people: truncate
  public.staff: keep
  public.visitors: truncate
  public.guests: keep
"""
    dsn, path = db_with_rules(make_db, tmp_path, PEOPLE, rules, "people.yaml")
    report = mask_and_verify(dsn, path)
    assert _counts(dsn, "people", "staff", "visitors", "guests") == [0, 2, 0, 2]
    # The children's rows are the parents' inherited statistics now: fresh, not a leak.
    assert report.findings == []


def test_a_truncated_parent_with_a_masked_child_verifies_clean(make_db, tmp_path: Path) -> None:
    rules = """version: 1
tables:
  public.people: truncate
  public.staff:
    columns: {id: keep, email: email, dept: keep}
  public.visitors: keep
  public.guests: keep
"""
    dsn, path = db_with_rules(make_db, tmp_path, PEOPLE, rules, "people.yaml")
    report = mask_and_verify(dsn, path)
    assert _counts(dsn, "people", "staff") == [0, 2]
    assert report.findings == []


def test_stale_inherited_statistics_of_a_truncated_parent_are_a_leak(
    make_db, tmp_path: Path
) -> None:
    rules = """version: 1
tables:
  public.people: truncate
  public.staff: keep
  public.visitors: keep
  public.guests: keep
"""
    dsn, path = db_with_rules(make_db, tmp_path, PEOPLE, rules, "people.yaml")
    assert mask_and_verify(dsn, path).findings == []
    with psycopg.connect(dsn, autocommit=True) as conn:
        # production's parent rows back in the statistics of the whole tree, then gone
        # again; its own statistics removed, so only the inherited ones describe them
        conn.execute(
            "INSERT INTO people SELECT 1, 'a@corp.test' FROM generate_series(1, 50); ANALYZE people"
        )
        conn.execute(
            "DELETE FROM pg_statistic WHERE starelid = 'people'::regclass AND NOT stainherit"
        )
        conn.execute("TRUNCATE ONLY people")
    findings = verify_report(dsn, [path], seed="s").findings
    assert [(f.code, f.location.key) for f in findings] == [("statistics-leak", "public.people")]
    assert "inherited" in findings[0].message


@pytest.mark.parametrize("chunked", [False, True], ids=["one-statement", "fast-paths"])
def test_masking_a_parent_waits_for_no_lock_on_its_kept_child(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunked: bool
) -> None:
    """The swap's LOCK TABLE (and the chunks' SHARE lock) took the children along: a
    parent's masking waited for anything holding a child it never touches (here an
    application writing to the kept archive; in a run, a child's own swap)."""
    if chunked:  # chunks, and indexes and their constraints dropped and rebuilt
        monkeypatch.setattr(compiler, "CHUNK_ROWS", 0)
        monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 0)
    rules = ORDERS_RULES.format(archive="keep")
    dsn, path = db_with_rules(make_db, tmp_path, ORDERS, rules, "orders.yaml")
    with psycopg.connect(dsn) as conn:  # the child's own schema is its own
        conn.execute("ALTER TABLE orders_archive ALTER COLUMN id DROP NOT NULL")
    mark_clone(dsn)
    outcome: list[object] = []

    def mask() -> None:
        try:
            outcome.append(anonymize(dsn, [path], seed="s", progress=False))
        except Exception as exc:  # reported below, not lost in the thread
            outcome.append(exc)

    with psycopg.connect(dsn) as writer:
        writer.execute("LOCK TABLE ONLY orders_archive IN ROW EXCLUSIVE MODE")
        masking = threading.Thread(target=mask)
        masking.start()
        masking.join(timeout=30)
        finished_while_held = not masking.is_alive()
        writer.rollback()
    masking.join()
    assert finished_while_held, "the parent's masking waited for a lock on its child"
    assert not any(isinstance(o, Exception) for o in outcome), outcome
    if chunked:
        steps = build_plan(dsn, [path]).steps
        assert any(s.chunking for s in steps) and any(s.drop_indexes for s in steps)
    assert _counts(dsn, "customers", "orders", "orders_archive") == [10, 10, 5]
    with psycopg.connect(dsn) as conn:
        nullable = conn.execute(
            "SELECT NOT attnotnull FROM pg_attribute "
            "WHERE attrelid = 'orders_archive'::regclass AND attname = 'id'"
        )
        assert nullable.fetchone() == (True,)  # a parent's primary key did not change it
