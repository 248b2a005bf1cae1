"""The fast paths (parallel chunks, per-distinct-value masking, index rebuild) give exactly
the values and schema of the plain path."""

from __future__ import annotations

import itertools
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from dbrefresh.anonymize.session import prepare_session
from dbrefresh.rules import compiler

SCHEMA = """
CREATE TABLE shops (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO shops SELECT i, 'Shop ' || i FROM generate_series(1, 50) i;
CREATE TABLE buyers (
    id int PRIMARY KEY,
    email text NOT NULL UNIQUE,
    city text,
    last_name text NOT NULL,
    shop_id int REFERENCES shops(id),
    tags jsonb DEFAULT '{"a": [1, 2]}',
    ip inet
);
COMMENT ON INDEX buyers_email_key IS 'one account per address';
CREATE INDEX buyers_city ON buyers (city) WHERE city IS NOT NULL;
INSERT INTO buyers
SELECT i, format('b%s@buyers.example', i),
       CASE WHEN i % 11 = 0 THEN NULL ELSE (ARRAY['Bern','Genf','Basel','Chur'])[1 + i % 4] END,
       (ARRAY['Meier','Keller','Huber','Frei','Graf'])[1 + i % 5], 1 + i % 50,
       '{"a": [1, 2], "b": "{x}"}', CAST('192.168.' || i % 7 || '.' || i % 97 || '/24' AS inet)
  FROM generate_series(1, 30000) i;
CREATE TABLE visits (id int PRIMARY KEY, buyer_id int NOT NULL REFERENCES buyers(id),
                     city text);
INSERT INTO visits SELECT i, 1 + i % 30000, (ARRAY['Bern','Genf'])[1 + i % 2]
  FROM generate_series(1, 40000) i;
"""

RULES = """version: 1
tables:
  public.shops: keep
  public.buyers:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      city: city
      last_name: last_name
      shop_id: keep
      tags: keep
      ip: {strategy: ip, unique: true}
  public.visits:
    columns:
      id: keep
      buyer_id: keep
      city: city
"""

SCHEMA_QUERY = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class')
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'public'::regnamespace
UNION ALL
SELECT conname, pg_get_constraintdef(oid), convalidated::text FROM pg_constraint
 WHERE connamespace = 'public'::regnamespace
ORDER BY 1, 2
"""


def _data(dsn: str) -> tuple[list[tuple[object, ...]], ...]:
    with psycopg.connect(dsn) as conn:
        return (
            conn.execute("SELECT * FROM buyers ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM visits ORDER BY id").fetchall(),
            conn.execute(SCHEMA_QUERY).fetchall(),
        )


def test_chunked_deduplicated_rebuilt_path_equals_plain_path(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, fast = make_db(), make_db()
    for dsn in (plain, fast):
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SCHEMA)
            conn.execute("ANALYZE")
    rules = tmp_path / "buyers.yaml"
    rules.write_text(RULES)

    monkeypatch.setattr(compiler, "DEDUPE_ROWS", 10**9)  # plain: none of the fast paths
    plain_plan = build_plan(plain, [rules])
    assert not any(s.chunking or s.drop_indexes for s in plain_plan.steps)
    mark_clone(plain)
    anonymize(plain, [rules], seed="paths", progress=False)

    monkeypatch.setattr(compiler, "DEDUPE_ROWS", 1000)
    monkeypatch.setattr(compiler, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 1000)
    fast_plan = build_plan(fast, [rules])
    buyers = next(s for s in fast_plan.steps if s.relation == "public.buyers")
    assert buyers.chunking is not None and buyers.drop_indexes
    assert {m.column for m in buyers.masked if m.dedupe} == {"city", "last_name", "ip"}
    assert buyers.chunking.fill.count("LEFT JOIN LATERAL") == 3  # city, last_name, ip
    mark_clone(fast)
    anonymize(fast, [rules], seed="paths", progress=False, workers=2)
    # De-duplication's speed rests on the planner memoizing those subqueries, each keyed
    # on the one value; a regression would cost a digest per row, silently.
    with psycopg.connect(fast) as conn:
        prepare_session(conn, "k" * 32, fast_plan.rules_digest)
        chunk = buyers.chunking.fill_chunk(0, 0, 2**31 - 1)
        chunk = chunk.replace(f"INSERT INTO {buyers.chunking.chunk_table(0)} ", "", 1)
        explained = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {chunk}"))
    keys = [line.split("Cache Key:")[1].strip() for line in explained.splitlines()
            if "Cache Key:" in line]  # fmt: skip
    assert sorted(keys) == ["_dbr_t.city", "_dbr_t.ip", "_dbr_t.last_name"], explained

    assert _data(fast) == _data(plain)
    # Chunks refill in page order, so rows keep their physical order (up to the odd row
    # the heap places on an earlier page with room, as any INSERT may).
    with psycopg.connect(fast) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM buyers")]
    descents = sum(1 for a, b in itertools.pairwise(ids) if b < a)
    assert len(ids) == 30000 and descents < len(ids) // 1000
    buyers_rows = _data(fast)[0]
    assert not any(row[1].endswith("@buyers.example") for row in buyers_rows)
    assert sum(row[2] is None for row in buyers_rows) == 30000 // 11  # NULLs stay NULL
    for dsn in (plain, fast):
        report = verify_report(dsn, [rules], seed="paths")
        assert report.findings == []


def test_a_failing_chunk_fails_its_group_changes_nothing_and_a_rerun_finishes(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime error in one parallel chunk of buyers: the swap of buyers and visits
    (tied by a key) never starts, nothing changes, no scratch table is left, and the
    corrected rules then mask everything."""
    from dbrefresh.errors import MaskingRefused
    from tests.anonymize.helpers import fingerprint

    monkeypatch.setattr(compiler, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 1000)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("ANALYZE")
    rules = tmp_path / "buyers.yaml"
    failing = (
        '{strategy: sql, expression: "CASE WHEN id = 29000 THEN (1 / (id - 29000))::text'
        " ELSE 'X' END\"}"
    )
    rules.write_text(RULES.replace("last_name: last_name", f"last_name: {failing}"))
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused) as caught:  # the rule's doing: re-running cannot help
        anonymize(dsn, [rules], seed="paths", progress=False, workers=2)
    message = str(caught.value)
    assert "public.buyers" in message and "public.visits" in message
    assert "division by zero" in message and "change the rule" in message
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'dbrefresh' "
            "AND tablename LIKE '\\_dbr\\_m\\_%'"
        ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM dbrefresh.masked_relations").fetchone() == (0,)

    rules.write_text(RULES)
    anonymize(dsn, [rules], seed="paths", progress=False, workers=2)
    report = verify_report(dsn, [rules], seed="paths")
    assert report.findings == [] and report.relations_checked == 2


def test_fast_paths_take_names_that_need_quoting(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schema and a table named in mixed case, with a quote and a space: chunking sized
    its page ranges with the bare name ('Sales.Client "X"'::regclass) and failed."""
    monkeypatch.setattr(compiler, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 1000)
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            'CREATE SCHEMA "Sales";'
            'CREATE TABLE "Sales"."Client ""X""" (id int PRIMARY KEY, email text UNIQUE);'
            'INSERT INTO "Sales"."Client ""X""" SELECT g, \'c\' || g || \'@shop.example\''
            " FROM generate_series(1, 3000) g; ANALYZE"
        )
    rules = tmp_path / "quoted.yaml"
    rules.write_text(
        "version: 1\ntables:\n  'Sales.Client \"X\"':\n    columns:\n"
        "      id: keep\n      email: {strategy: email, unique: true}\n"
    )
    [step] = build_plan(dsn, [rules]).steps
    assert step.chunking is not None and step.drop_indexes
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="quoted", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE email LIKE '%@shop.example')"
            ' FROM "Sales"."Client ""X"""'
        ).fetchone()
    assert left == (3000, 0)
    assert verify_report(dsn, [rules], seed="quoted").findings == []
