"""Masking keeps table identity, and leaves no original value in the relation files."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from dbrefresh.backends.local import chown_for_server
from dbrefresh.rules import compiler
from tests.anonymize.helpers import CHINOOK_RULES

IDENTITY_SETUP = """
CREATE ROLE dbr_reader_{n} NOLOGIN;
GRANT SELECT ON customer TO dbr_reader_{n};
GRANT SELECT (email) ON employee TO dbr_reader_{n};
CREATE VIEW customer_names AS SELECT customer_id, first_name, last_name FROM customer;
CREATE TABLE audit (at timestamptz DEFAULT now(), what text);
CREATE FUNCTION audit_customer() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO audit (what) VALUES (NEW.email); RETURN NEW; END $$;
CREATE TRIGGER customer_audit AFTER INSERT OR UPDATE ON customer
  FOR EACH ROW EXECUTE FUNCTION audit_customer();
ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON customer USING (support_rep_id IS NOT NULL);
COMMENT ON TABLE customer IS 'people who buy';
COMMENT ON COLUMN customer.email IS 'contact address';
COMMENT ON CONSTRAINT invoice_customer_id_fkey ON invoice IS 'who pays';
CREATE SEQUENCE customer_seq OWNED BY customer.customer_id;
"""

IDENTITY_QUERIES = {
    "relations": "SELECT c.oid, c.relname, c.relkind, c.relacl::text, c.relrowsecurity "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' ORDER BY c.relname",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1",
    "column_grants": "SELECT attrelid::regclass::text, attname, attacl::text FROM pg_attribute "
    "WHERE attacl IS NOT NULL ORDER BY 1, 2",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgenabled, pg_get_triggerdef(oid) "
    "FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
    "convalidated, obj_description(oid, 'pg_constraint') "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
    "ORDER BY 1, 2",
    "indexes": "SELECT indexrelid, indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
    "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE c.relnamespace = 'public'::regnamespace ORDER BY 2",
    "policies": "SELECT tablename, policyname, qual FROM pg_policies ORDER BY 1, 2",
    "comments": "SELECT objoid::regclass::text, objsubid, description FROM pg_description "
    "WHERE classoid = 'pg_class'::regclass ORDER BY 1, 2",
    "sequence_owner": "SELECT pg_get_serial_sequence('customer', 'customer_id')",
}


def identity(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(dsn) as conn:
        return {k: conn.execute(q).fetchall() for k, q in IDENTITY_QUERIES.items()}


@pytest.mark.parametrize("fast_paths", [False, True], ids=["small-tables", "fast-paths"])
def test_table_identity_survives(
    chinook_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_paths: bool
) -> None:
    """With fast_paths every table counts as large: chunked copies, memoized columns and
    rebuilt indexes, so customer's key to employee is dropped with employee's primary key
    and re-added while customer is empty, employee's key to itself is re-validated, and
    the kept invoice_line's key to invoice is re-validated after the swap."""
    if fast_paths:
        for threshold in ("CHUNK_ROWS", "INDEX_REBUILD_ROWS", "DEDUPE_ROWS"):
            monkeypatch.setattr(compiler, threshold, 0)
    with psycopg.connect(chinook_dsn, autocommit=True) as conn:
        conn.execute(IDENTITY_SETUP.format(n=uuid.uuid4().hex[:8]))
        conn.execute("ANALYZE")
    rules = tmp_path / "chinook.yaml"
    rules.write_text(CHINOOK_RULES.read_text() + "  public.audit: keep\n")
    plan = build_plan(chinook_dsn, [rules])
    assert all(bool(s.chunking) == fast_paths for s in plan.steps)
    if fast_paths:
        [group] = [g for g in plan.groups if "public.customer" in g.relations]
        early = " ".join(s for added in group.add_fks_after.values() for s in added)
        assert "customer_support_rep_id_fkey" in early and "invoice_customer_id_fkey" in early
        late = " ".join(group.add_fks_last)
        assert "employee_reports_to_fkey" in late and "invoice_line_invoice_id_fkey" in late
    before = identity(chinook_dsn)
    mark_clone(chinook_dsn)
    anonymize(chinook_dsn, [rules], seed="s", progress=False, workers=2)
    after = identity(chinook_dsn)
    if fast_paths:  # rebuilt indexes keep names and definitions, not OIDs (documented)
        for state in (before, after):
            state["indexes"] = [row[1:] for row in state["indexes"]]
            state["relations"] = [r[1:] if r[2] == "i" else r for r in state["relations"]]
    for key in IDENTITY_QUERIES:
        assert after[key] == before[key], key
    assert verify_report(chinook_dsn, [rules], seed="s").findings == []
    with psycopg.connect(chinook_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 0  # no trigger fired
        assert conn.execute("SELECT count(*) FROM customer_names").fetchone()[0] == 59


DISK_SCHEMA = """
CREATE TABLE people (
    id integer PRIMARY KEY,
    email varchar(120) NOT NULL UNIQUE,
    phone text,
    street text,
    notes text
);
ALTER TABLE people ALTER COLUMN notes SET STORAGE EXTERNAL;  -- TOASTed, uncompressed
INSERT INTO people
SELECT i,
       format('person%s.%s@corp-example.org', i, substr(md5(i::text), 1, 8)),
       format('+41 44 %s %s', 100 + i % 900, lpad((i * 7919 % 10000)::text, 4, '0')),
       format('%s Quellenstrasse %s', substr(md5('s' || i), 1, 6), i),
       repeat(format('secret-note-%s-%s ', i, md5('n' || i)), 80)
  FROM generate_series(1, 3000) i;
CREATE INDEX people_street ON people (street);
UPDATE people SET phone = phone WHERE id % 3 = 0;  -- dead tuples holding originals
"""

DISK_RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      phone: phone
      street: street
      notes: lorem
"""


def relation_files(conn: psycopg.Connection, table: str) -> list[Path]:
    datadir = Path(conn.execute("SHOW data_directory").fetchone()[0])
    rels = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = %s::regclass "
        "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass) "
        "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass "
        "  OR indrelid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass))",
        (table, table, table, table),
    ).fetchall()
    files: list[Path] = []
    for (rel,) in rels:
        base = datadir / conn.execute("SELECT pg_relation_filepath(%s)", (rel,)).fetchone()[0]
        files += sorted(base.parent.glob(base.name + "*"))
    return files


def found_values(files: list[Path], values: list[bytes]) -> set[bytes]:
    found: set[bytes] = set()
    for path in files:
        data = path.read_bytes()
        found.update(v for v in values if v in data)
    return found


def test_no_original_value_left_in_relation_files(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(DISK_SCHEMA)
        conn.execute("CHECKPOINT")
        sample = conn.execute(
            "SELECT v FROM (SELECT email AS v FROM people UNION ALL SELECT phone FROM people "
            "UNION ALL SELECT street FROM people UNION ALL "
            "SELECT split_part(notes, ' ', 1) FROM people) s ORDER BY md5(v) LIMIT 1000"
        ).fetchall()
        values = [v.encode() for (v,) in sample]
        assert len(values) == 1000
        files_before = relation_files(conn, "people")
        # Positive control: the search does find originals before masking.
        assert len(found_values(files_before, values)) == 1000
    rules = tmp_path / "people.yaml"
    rules.write_text(DISK_RULES)
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="disk", progress=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        files_after = relation_files(conn, "people")
        assert files_after, "no relation files found"
        assert set(files_after).isdisjoint(files_before)  # new relfilenodes
        # The old files are gone or empty after the checkpoint.
        assert all(not p.exists() or p.stat().st_size == 0 for p in files_before)
    assert found_values(files_after, values) == set()


def test_anonymize_refuses_without_marker(make_db, tmp_path: Path) -> None:
    from dbrefresh.errors import NotACloneError

    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(DISK_SCHEMA)
    rules = tmp_path / "people.yaml"
    rules.write_text(DISK_RULES)
    with psycopg.connect(dsn) as conn:
        before = conn.execute(
            "SELECT md5(string_agg(p::text, '' ORDER BY id)) FROM people p"
        ).fetchone()
    with pytest.raises(NotACloneError):
        anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        after = conn.execute(
            "SELECT md5(string_agg(p::text, '' ORDER BY id)) FROM people p"
        ).fetchone()
        assert conn.execute("SELECT to_regnamespace('dbrefresh')").fetchone()[0] is None
    assert before == after


@pytest.fixture
def tablespace(admin_dsn: str) -> Iterator[str]:
    """A tablespace on the test server (ask for it before make_db: it is dropped after
    the databases using it)."""
    with psycopg.connect(admin_dsn) as conn:
        if not Path(conn.execute("SHOW data_directory").fetchone()[0]).exists():
            pytest.skip("the server's files are not on this machine")
    name = f"dbr_ts_{uuid.uuid4().hex[:8]}"
    location = Path(tempfile.mkdtemp(prefix="dbrefresh-ts-", dir="/var/tmp"))
    chown_for_server(location)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {name} LOCATION '{location}'")
    yield name
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
    shutil.rmtree(location, ignore_errors=True)


def test_rebuilt_indexes_stay_in_their_tablespace(
    tablespace: str, make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index in a tablespace made its table skip the index rebuild (the slow path).
    Indexes are rebuilt in their own tablespace now, whatever default_tablespace the
    database gives new sessions."""
    for threshold in ("CHUNK_ROWS", "INDEX_REBUILD_ROWS", "DEDUPE_ROWS"):
        monkeypatch.setattr(compiler, threshold, 0)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(DISK_SCHEMA)
        conn.execute(f"ALTER INDEX people_email_key SET TABLESPACE {tablespace}")
        conn.execute(f"ALTER INDEX people_street SET TABLESPACE {tablespace}")
        conn.execute(f"ALTER DATABASE {conn.info.dbname} SET default_tablespace = {tablespace}")
        conn.execute("ANALYZE")
    rules = tmp_path / "people.yaml"
    rules.write_text(DISK_RULES)
    placed = (
        "SELECT c.relname, t.spcname, c.relfilenode FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace"
        " WHERE i.indrelid = 'people'::regclass ORDER BY 1"
    )
    with psycopg.connect(dsn) as conn:
        before = conn.execute(placed).fetchall()
    assert [(n, t) for n, t, _ in before] == [
        ("people_email_key", tablespace),
        ("people_pkey", None),
        ("people_street", tablespace),
    ]
    [step] = build_plan(dsn, [rules]).steps
    assert len(step.drop_indexes) == 3  # the fast path: dropped, rebuilt after the refill
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        after = conn.execute(placed).fetchall()
    assert [(n, t) for n, t, _ in after] == [(n, t) for n, t, _ in before]
    assert all(a[2] != b[2] for a, b in zip(after, before, strict=True))  # all rebuilt
    assert verify_report(dsn, [rules], seed="s").findings == []
