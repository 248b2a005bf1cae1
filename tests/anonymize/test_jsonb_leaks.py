"""The leak check of jsonb rules, path by path.

A document counts as changed when any listed path changed, so comparing whole documents
let a path whose values survived pass unreported. Each path's originals (its value, or
each element of an array there) are sampled and counted on their own, and the finding
names the column and the path (docs/anonymize.md, "Verify").
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules import compiler
from tests.anonymize.helpers import run_cli

# 'ref' is a string in even rows and a number in odd ones, missing in every fifth and
# JSON null in every seventh; tags is an array (element-wise), nested holds arrays.
SCHEMA = """
CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL, payload jsonb);
INSERT INTO events
SELECT i, 'k' || (i % 3),
       jsonb_strip_nulls(jsonb_build_object(
           'customer', jsonb_build_object('email', format('u%s@corp.example', i),
                                          'name', format('Name %s', i)),
           'tags', jsonb_build_array(format('tag-a-%s', i), format('tag-b-%s', i)),
           'nested', jsonb_build_array(jsonb_build_array(format('n%s', i)))))
       || CASE WHEN i % 5 = 0 THEN '{}'::jsonb
               WHEN i % 7 = 0 THEN '{"ref": null}'::jsonb
               WHEN i % 2 = 0 THEN jsonb_build_object('ref', format('R%s', i))
               ELSE jsonb_build_object('ref', 1000 * i + 7) END
  FROM generate_series(1, 300) i;
INSERT INTO events VALUES (301, 'k0', '"a scalar document"'), (302, 'k0', NULL),
                          (303, 'k0', '{"other": "x"}');
"""

RULES = """version: 1
tables:
  public.events:
    columns:
      id: keep
      kind: keep
      payload:
        strategy: jsonb
        paths:
          customer.email: email
          customer.name: full_name
          tags: lorem
          nested: lorem
          ref: hash
"""

PATHS = ("customer.email", "customer.name", "tags", "nested", "ref")
# id's primary key ties a sample to its row; without one, the kept columns do (id and
# kind, or kind alone: three values, so rows of the same kind are told apart by no
# key); with every column masked, any row holding the value counts.
SHAPES = {
    "primary-key": ("", RULES),
    "kept-columns": (
        "ALTER TABLE events DROP CONSTRAINT events_pkey;",
        RULES,
    ),
    "repeating-kept-column": (
        "ALTER TABLE events DROP CONSTRAINT events_pkey; ALTER TABLE events DROP COLUMN id;",
        RULES.replace("      id: keep\n", ""),
    ),
    "every-column-masked": (
        "ALTER TABLE events DROP CONSTRAINT events_pkey; "
        "ALTER TABLE events DROP COLUMN id; ALTER TABLE events DROP COLUMN kind;",
        RULES.replace("      id: keep\n      kind: keep\n", ""),
    ),
}


def _setup(make_db, tmp_path: Path, shape: str, rules: str | None = None) -> tuple[str, Path]:
    alter, shape_rules = SHAPES[shape]
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        if alter:
            conn.execute(alter)
        conn.execute("ANALYZE")
    path = tmp_path / "rules.yaml"
    path.write_text(rules or shape_rules)
    mark_clone(dsn)
    return dsn, path


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_clean_run_samples_each_path_and_finds_no_leak(make_db, tmp_path: Path, shape) -> None:
    """Every path is sampled where documents hold it: 'ref' in the documents that have
    it (not missing, not JSON null), tags per element; no survivors."""
    dsn, rules = _setup(make_db, tmp_path, shape)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    sampled = {k: v for k, v in report.sampled.items() if ":" in k}
    assert sampled == {
        "public.events.payload:customer.email": 300,
        "public.events.payload:customer.name": 300,
        "public.events.payload:tags": 600,  # two elements a document
        "public.events.payload:nested": 300,
        "public.events.payload:ref": 300 - 60 - 34,  # without the 60 missing, 34 null
        "public.events.payload:**": 300,  # the addresses anywhere in the documents
    }
    assert report.total_leaks == 0


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_surviving_path_is_named_though_the_document_changed(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """An original written back into one path of one document (the other paths of that
    document stay masked, so the document as a whole changed): verify exits 1 naming
    the column and the path. Also an array's element, and a number given back as a
    string (its text is the original's)."""
    dsn, rules = _setup(make_db, tmp_path, shape)
    with psycopg.connect(dsn) as conn:
        email, tag, ref = conn.execute(
            "SELECT payload #>> '{customer,email}', payload #>> '{tags,1}', payload->>'ref' "
            "FROM events WHERE payload->>'ref' = '3007'"
        ).fetchone()
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    assert verify_report(dsn, [rules], seed="s").findings == []
    # the same row (any row when no column is kept to tell rows apart)
    row = {
        "every-column-masked": "ctid = (SELECT min(ctid) FROM events)",
        "repeating-kept-column": "ctid = (SELECT min(ctid) FROM events WHERE kind = 'k0')",
    }.get(shape, "id = 3")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE events SET payload = jsonb_set(jsonb_set(jsonb_set(payload, "
            "'{customer,email}', to_jsonb(%s::text)), '{tags,1}', to_jsonb(%s::text)), "
            f"'{{ref}}', to_jsonb(%s::text)) WHERE {row}",
            (email, tag, ref),
        )
    report = verify_report(dsn, [rules], seed="s")
    anywhere = (
        "public.events.payload: 1 original email address(es) of the sampled documents "
        "survived in them (under a path the rules do not list, or one that kept them)"
    )
    assert sorted((f.code, f.location.key, f.message) for f in report.findings) == sorted(
        [
            *(
                (
                    "leak",
                    "public.events.payload",
                    f"public.events.payload: path {path}: 1 original value(s) survived masking",
                )
                for path in ("customer.email", "ref", "tags")
            ),
            ("leak", "public.events.payload", anywhere),
        ]
    )
    assert report.leaks["public.events.payload"] == 0  # the document as a whole changed
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["leaks"]["public.events.payload:tags"] == 1
    assert "path customer.email: 1 original value(s) survived masking" in result.out


def test_a_path_strategy_that_keeps_its_values_is_reported(make_db, tmp_path: Path) -> None:
    """A path rule that gives the value back (here an `sql` expression reading a copy of
    the email the application keeps in another column) while the other paths change
    every document: every sampled email survives, and verify says so for that path (and
    that the kept column holds the path's originals)."""
    rules = RULES.replace(
        "customer.email: email", "customer.email: {strategy: sql, expression: contact}"
    ).replace("      kind: keep\n", "      kind: keep\n      contact: keep\n")
    dsn, path = _setup(make_db, tmp_path, "primary-key", rules)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE events ADD COLUMN contact text")
        conn.execute("UPDATE events SET contact = payload #>> '{customer,email}'")
    anonymize(dsn, [path], seed="s", progress=False, workers=2)
    report = verify_report(dsn, [path], seed="s")
    assert [(f.code, f.message) for f in report.findings] == [
        (
            "kept-copy",
            "public.events.contact holds 300 original value(s) of masked column "
            "public.events.payload (path customer.email) (300 of 300 sampled value(s) compared)",
        ),
        (
            "leak",
            "public.events.payload: 300 original email address(es) of the sampled documents "
            "survived in them (under a path the rules do not list, or one that kept them)",
        ),
        (
            "leak",
            "public.events.payload: path customer.email: 300 original value(s) survived masking",
        ),
    ]
    assert report.leaks["public.events.payload"] == 0


def test_json_documents_numbers_and_the_chunked_path(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A json (not jsonb) column, a path masked `as: numeric`, and a table large enough
    for chunks (its samples taken beside them): a number given back is found."""
    for threshold in ("CHUNK_ROWS", "INDEX_REBUILD_ROWS", "DEDUPE_ROWS"):
        monkeypatch.setattr(compiler, threshold, 0)
    rules = RULES.replace("ref: hash", "ref: {strategy: noise, relative: 0.5, as: numeric}")
    dsn, path = _setup(make_db, tmp_path, "primary-key", rules)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE events ALTER COLUMN payload TYPE json")
        (ref,) = conn.execute("SELECT payload->>'ref' FROM events WHERE id = 3").fetchone()
    anonymize(dsn, [path], seed="s", progress=False, workers=2)
    report = verify_report(dsn, [path], seed="s")
    assert report.findings == []
    assert report.sampled["public.events.payload:ref"] == 103  # the odd rows' numbers
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE events SET payload = jsonb_set(payload::jsonb, '{ref}', %s::jsonb)::json "
            "WHERE id = 3",
            (ref,),
        )
    report = verify_report(dsn, [path], seed="s")
    assert [f.message for f in report.findings] == [
        "public.events.payload: path ref: 1 original value(s) survived masking"
    ]
