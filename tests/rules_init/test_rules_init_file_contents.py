"""Files kept as text: Documenso's DocumentData.data (S3 keys and base64 PDFs in one
column) got `file_name`, which kept the base64 before its last '/' as folders, names
and addresses in it; Signature.signatureImageAsBase64 ('data:image/png;base64,...')
was kept with no note. Both are judged by their values now."""

from __future__ import annotations

import base64
from pathlib import Path

import psycopg

from dbrefresh.rules import file_contents

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

PEOPLE = """
CREATE TEMP VIEW p AS SELECT row_number() OVER () i, f, l,
  (100 + row_number() OVER ())::text || ' ' || l || ' Street' street
FROM unnest(ARRAY['Anna', 'John', 'Maria', 'Peter', 'Laura', 'David', 'Sarah', 'Michael',
  'Emma', 'James']) f, unnest(ARRAY['Smith', 'Johnson', 'Miller', 'Brown', 'Davis', 'Wilson',
  'Moore', 'Taylor', 'Clark', 'Lewis']) l;
"""
DOCUMENSO = (
    PEOPLE
    + """
CREATE TABLE "DocumentData" (id text PRIMARY KEY, type text NOT NULL, data text NOT NULL);
INSERT INTO "DocumentData" SELECT 's' || i, 'S3_PATH', 'a1b2c3/' || f || '_' || l || '_NDA.pdf'
  FROM p;
INSERT INTO "DocumentData" SELECT 'b' || i, 'BYTES_64', replace(encode(convert_to(
  '%PDF-1.7 1 0 obj << /Title (NDA ' || f || ' ' || l || ') /Author (' || f || ' ' || l
  || ') /Subject (signed at ' || street || ') >> endobj ???>>>???', 'UTF8'), 'base64'), E'\\n', '')
  FROM p;
CREATE TABLE "Signature" (id serial PRIMARY KEY, "signatureImageAsBase64" text,
  "typedSignature" text);
INSERT INTO "Signature" ("signatureImageAsBase64", "typedSignature")
  SELECT 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAfQAAADICAYAAAAeGRPo' || md5(f || l)
    || md5(l || f), f || ' ' || l FROM p;
ANALYZE;
"""
)


def test_file_types() -> None:
    pdf = base64.b64encode(b"%PDF-1.7 " + b"x" * 60).decode()
    assert file_contents.file_type(pdf) == "PDF"
    assert file_contents.file_type(pdf[:80] + " … " + pdf[-20:]) == "PDF"  # a long one sampled
    assert file_contents.file_type("data:image/png;base64,iVBOR") == "data: URL"
    assert file_contents.file_type(base64.b64encode(b"Salted__" + b"k" * 60).decode()) is None
    assert file_contents.file_type("a1b2c3/Anna_Smith_NDA.pdf") is None


def test_files_kept_as_text_are_replaced_whole(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, DOCUMENSO)
    assert strategy_of(text, "public.DocumentData", "data") == "file_name"
    assert "REVIEW" in comment_of(text, "public.DocumentData", "data")
    assert rule_of(text, "public.Signature", "signatureImageAsBase64") == "null"
    assert "REVIEW" in comment_of(text, "public.Signature", "signatureImageAsBase64")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE type = 'BYTES_64' AND length(data) <> 24),
                 count(*) FILTER (WHERE type = 'S3_PATH' AND data !~ '^a1b2c3/[0-9a-f]{32}\.pdf$'),
                 count(*) FILTER (WHERE data ~* 'smith|anna|street'),
                 count(DISTINCT data)
               FROM "DocumentData" """
        ).fetchone()
        kept = conn.execute('SELECT count("signatureImageAsBase64") FROM "Signature"').fetchone()
    assert row == (0, 0, 0, 200)
    assert kept == (0,)
