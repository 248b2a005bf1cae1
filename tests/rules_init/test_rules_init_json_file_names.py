"""File names naming people inside JSON: NocoDB's and Baserow's attachment fields
[{"url": ..., "title": "passport_anna_schmidt.pdf"}] were kept (jsonb, and JSON as
text), while the same names in a text column got `file_name`. Their paths get
`file_name` now: the name part hashed, the extension and the document's shape kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import file_names

from .helpers import generate_then_mask, rule_of

ATTACHMENTS = """
CREATE TABLE database_table_789 (id serial PRIMARY KEY, field_3002 jsonb, field_3003 text);
INSERT INTO database_table_789 (field_3002, field_3003)
SELECT j, j::text FROM (SELECT jsonb_build_array(jsonb_build_object(
  'url', 'https://files.example/' || md5(g::text) || '.pdf', 'title',
  (ARRAY['passport', 'cv', 'contract'])[1 + g % 3] || '_'
  || (ARRAY['anna', 'jan', 'maria', 'peter', 'laura', 'thomas', 'julia'])[1 + g % 7] || '_'
  || (ARRAY['schmidt', 'kowalski', 'meyer', 'johnson', 'fischer', 'weber'])[1 + g % 6]
  || '.pdf')) j FROM generate_series(1, 200) g) s;
ANALYZE;
"""


def test_path_reason_wants_file_names_of_several_people() -> None:
    named = ["cv_anna_schmidt.pdf", "passport-jan-meyer.png", "maria_weber.docx"]
    assert file_names.path_reason(named) is not None
    assert file_names.path_reason(["report-2024.pdf", "invoice_17.pdf"]) is None
    assert file_names.path_reason(["Anna Schmidt", "Jan Meyer", "Maria Weber"]) is None


def test_attachment_titles_in_json_get_file_name(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ATTACHMENTS)
    for column in ("field_3002", "field_3003"):
        rule = rule_of(text, "public.database_table_789", column)
        assert rule["paths"] == {"*.title": "file_name"}, text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE field_3002 #>> '{0,title}' !~ '^[0-9a-f]{32}\.pdf$'),
                 count(*) FILTER (WHERE field_3003::jsonb #>> '{0,title}' !~ '^[0-9a-f]{32}\.pdf$'),
                 count(*) FILTER (WHERE field_3002::text || field_3003 ~* 'schmidt|kowalski|anna'),
                 count(*) FILTER (WHERE jsonb_array_length(field_3002) <> 1)
               FROM database_table_789"""
        ).fetchone()
    assert row == (0, 0, 0, 0)
