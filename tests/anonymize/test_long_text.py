"""Long text (TOASTed bodies of 4-18 kB) under lorem: masked to the original's length,
and stored lz4-compressed where the server has lz4 (pglz made compression most of a
body's masking)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import build_plan
from dbrefresh.rules import compiler
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE documents (id int PRIMARY KEY, body text);
INSERT INTO documents
SELECT i, (SELECT string_agg(md5((i * 100 + j)::text), ' ')
             FROM generate_series(1, 120 + i * 3) j)
  FROM generate_series(1, 40) i;
INSERT INTO documents VALUES (41, 'short'), (42, ''), (43, NULL);
"""
RULES = """version: 1
tables:
  public.documents:
    columns:
      id: keep
      body: lorem
"""


def test_long_text_is_masked_and_stored_lz4(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "docs.yaml")
    with psycopg.connect(dsn) as conn:
        before = dict(conn.execute("SELECT id, body FROM documents").fetchall())
    report = mask_and_verify(dsn, rules)
    assert report.findings == [], [f.render() for f in report.findings]
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, body FROM documents").fetchall())
        lz4 = conn.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).fetchone()
        methods = {m for (m,) in conn.execute("SELECT pg_column_compression(body) FROM documents")}
    for i in range(1, 42):
        assert len(after[i]) == len(before[i]) and after[i] != before[i], i
    assert (after[42], after[43]) == ("", None)
    assert max(len(v) for v in before.values() if v) > 7_000
    assert methods - {None} == ({"lz4"} if lz4 and lz4[0] else {"pglz"})


def test_a_wide_table_is_chunked_by_size(make_db, tmp_path: Path, monkeypatch) -> None:
    """Few rows but many bytes (long bodies): masked in parallel chunks with its samples
    beside them, as a table of many rows is, and masked alike."""
    monkeypatch.setattr(compiler, "CHUNK_BYTES", 64 * 1024)
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "docs.yaml")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE documents")
        before = dict(conn.execute("SELECT id, body FROM documents").fetchall())
    [step] = [s for s in build_plan(dsn, [rules]).steps if s.relation == "public.documents"]
    assert step.chunking is not None and step.estimated_rows < compiler.CHUNK_ROWS
    report = mask_and_verify(dsn, rules)
    assert report.findings == [], [f.render() for f in report.findings]
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, body FROM documents").fetchall())
    assert after.keys() == before.keys()
    for i in range(1, 42):
        assert len(after[i]) == len(before[i]) and after[i] != before[i], i
