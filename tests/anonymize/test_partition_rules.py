"""A partition's own rule may mask its rows differently from its parent's, never less.

A partition with an entry of its own follows that entry alone: a stale `email: keep`
on one partition under a parent masking `email` kept that partition's emails, silently.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.errors import RulesError
from tests.anonymize.helpers import fingerprint

SCHEMA = """
CREATE TABLE events (happened date NOT NULL, email text NOT NULL, note text)
    PARTITION BY RANGE (happened);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events SELECT date '2023-01-01' + (i % 700), format('user%s@shop.example', i), 'n'
  FROM generate_series(1, 400) i;
ANALYZE;
"""

PARENT = """version: 1
tables:
  public.events:
    {parent}
"""

LEAF = """version: 1
defaults: {{unlisted_columns: keep}}
tables:
  public.events_2023:
    {leaf}
"""

MASKED = "columns: {happened: keep, email: email, note: keep}"


def _files(tmp_path: Path, parent: str, leaf: str) -> list[Path]:
    first, second = tmp_path / "events.yaml", tmp_path / "old.yaml"
    first.write_text(PARENT.format(parent=parent))
    second.write_text(LEAF.format(leaf=leaf))
    return [first, second]


def _db(make_db) -> str:  # type: ignore[no-untyped-def]
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    mark_clone(dsn)
    return dsn


def _refused(dsn: str, files: list[Path]) -> list[str]:
    before = fingerprint(dsn)
    with pytest.raises(RulesError) as refused:
        anonymize(dsn, files, seed="s", progress=False)
    assert fingerprint(dsn) == before
    return [f.render() for f in refused.value.findings if f.code == "partition-weaker"]


def test_a_partition_keeping_a_column_its_parent_masks_is_refused(make_db, tmp_path: Path) -> None:
    dsn = _db(make_db)
    leaf = "columns: {happened: keep, email: keep, note: keep}"
    files = _files(tmp_path, MASKED, leaf)
    [problem] = _refused(dsn, files)
    # both rules named with file:line: the partition's column, the parent's column
    assert problem.startswith(f"{files[1]}:5: public.events_2023.email: kept (`keep`)")
    assert f"public.events masks it ({files[0]}:4)" in problem
    # an entry not listing the column (its file keeps unlisted ones) keeps it as well
    [problem] = _refused(dsn, _files(tmp_path, MASKED, "columns: {note: lorem}"))
    assert f"{files[1]}:4: public.events_2023.email: kept (not masked by this rule)" in problem
    # a parent truncating, or deleting rows, is kept no weaker either
    [problem] = _refused(dsn, _files(tmp_path, "truncate", leaf))
    assert f"{files[1]}:4: public.events_2023: keeps the rows" in problem
    assert f"whose rule truncates them ({files[0]}:3)" in problem
    deleting = f"delete_where: \"note = 'x'\"\n    {MASKED}"
    [problem] = _refused(dsn, _files(tmp_path, deleting, "columns: {email: hash}"))
    assert "keeps every row, but the rule of its partitioned parent public.events" in problem


def test_a_partition_masked_otherwise_or_truncated_is_allowed(make_db, tmp_path: Path) -> None:
    dsn = _db(make_db)
    files = _files(tmp_path, MASKED, "columns: {email: hash, note: lorem}")
    anonymize(dsn, files, seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT count(*) FROM events WHERE email LIKE '%@shop.example'")
        assert left.fetchone() == (0,)
    assert verify_report(dsn, files, seed="s").findings == []
    dsn = _db(make_db)
    files = _files(tmp_path, MASKED, "truncate")
    anonymize(dsn, files, seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM ONLY events_2023").fetchone() == (0,)
