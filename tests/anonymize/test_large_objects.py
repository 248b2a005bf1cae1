"""Large objects cannot be classified column by column: the rules say empty or keep."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, fingerprint, run_cli

SCHEMA = """
CREATE TABLE documents (id int PRIMARY KEY, owner text NOT NULL, content oid);
INSERT INTO documents
SELECT i, format('owner%s@corp.example', i),
       lo_from_bytea(0, convert_to(format('contract of owner%s@corp.example', i), 'UTF8'))
  FROM generate_series(1, 40) i;
"""

RULES = """version: 1
%s
tables:
  public.documents:
    columns:
      id: keep
      owner: {strategy: email, unique: true}
      content: "null"
"""


def _large_objects(dsn: str) -> tuple[int, int]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pg_largeobject_metadata), "
            "pg_relation_size('pg_largeobject')"
        ).fetchone()
    return row[0], row[1]


def test_unclassified_large_objects_are_refused_before_anything_runs(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES % "", "docs.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn), _large_objects(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "lo")
    assert result.code == 2
    assert f"{rules}:1: large_objects: database holds 40 large object(s)" in result.err
    assert "large_objects: empty" in result.err and "Traceback" not in result.err
    assert (fingerprint(dsn), _large_objects(dsn)) == before


def test_empty_removes_them_from_the_files_and_keep_leaves_them(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(
        make_db, tmp_path, SCHEMA, RULES % "large_objects: keep", "docs.yaml"
    )
    mark_clone(dsn)
    report = anonymize(dsn, [rules], seed="lo", progress=False)
    assert report.large_objects_removed == 0
    assert _large_objects(dsn)[0] == 40

    dsn, rules = db_with_rules(
        make_db, tmp_path, SCHEMA, RULES % "large_objects: empty", "docs.yaml"
    )
    plan = run_cli(capsys, "plan", str(rules), "--dsn", dsn)
    assert "SELECT count(lo_unlink(oid)) FROM pg_largeobject_metadata;" in plan.out
    mark_clone(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "lo")
    assert result.code == 0, result.err
    assert "40 large object(s) removed" in result.out
    # no row, and no dead row holding a contract either: the catalog was rewritten
    assert _large_objects(dsn) == (0, 0)
    assert verify_report(dsn, [rules], seed="lo").findings == []
    with psycopg.connect(dsn) as conn:  # one made later is caught by verify
        conn.execute("SELECT lo_from_bytea(0, 'late')")
        conn.commit()
    assert [f.code for f in verify_report(dsn, [rules], seed="lo").findings] == ["large-objects"]


def test_two_rule_files_disagreeing_on_large_objects(tmp_path: Path) -> None:
    from dbrefresh.errors import RulesError
    from dbrefresh.rules.load import load_rules

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("version: 1\nlarge_objects: empty\ntables: {}\n")
    second.write_text("version: 1\ntables: {}\nlarge_objects: keep\n")
    with pytest.raises(RulesError) as caught:
        load_rules([first, second])
    assert f"{second}:3: large_objects: large_objects: keep here, empty at {first}:2" in str(
        caught.value
    )


def test_rules_init_classifies_large_objects(make_db, tmp_path: Path, capsys) -> None:
    dsn, _ = db_with_rules(make_db, tmp_path, SCHEMA, RULES % "", "unused.yaml")
    out = tmp_path / "init.yaml"
    assert run_cli(capsys, "rules", "init", "--dsn", dsn, "-o", str(out)).code == 0
    assert "\nlarge_objects: empty  # 40 large object(s)" in out.read_text()
    assert run_cli(capsys, "rules", "check", str(out), "--dsn", dsn).code == 0
