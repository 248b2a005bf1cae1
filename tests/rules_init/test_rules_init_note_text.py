"""Free text is no file name: Akkoma's user_notes.comment ('Jane Doe — met at Dresden,
email first.last@example.org') read as a file with the extension '.org' naming a person,
got `file_name` and became 32 hex. It is text (lorem) now; file names holding spaces
with a known extension ('CV Anna Schmidt.pdf') still get `file_name`."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import file_names

from .helpers import comment_of, generate_then_mask, strategy_of

NAMES = """(ARRAY['Anna','Paul','Marie','Jonas','Laura'])[1 + g % 5] f,
            (ARRAY['Schmidt','Martin','Silva','Miller','Tanaka','Weber'])[1 + g % 6] l"""
SCHEMA = f"""
CREATE TABLE user_notes (id serial PRIMARY KEY, source_id int, target_id int, comment text);
INSERT INTO user_notes (source_id, target_id, comment)
  SELECT g, g + 1, f || ' ' || l || ' — met at ' || (ARRAY['Dresden','Lyon','Porto'])[1 + g % 3]
    || ', email ' || lower(f) || '.' || lower(l) || g || '@mail.example.org'
  FROM generate_series(1, 200) g, LATERAL (SELECT {NAMES}) x;
CREATE TABLE attachments (id serial PRIMARY KEY, filename text);
INSERT INTO attachments (filename)
  SELECT 'CV ' || f || ' ' || l || ' ' || g || '.pdf'
  FROM generate_series(1, 200) g, LATERAL (SELECT {NAMES}) x;
ANALYZE;
"""


def test_lines_of_text_are_no_file_names() -> None:
    assert not file_names.is_file("Jane Doe — met at Dresden, email jane.doe@example.org")
    assert not file_names.is_file("Call Anna Schmidt about the yearly report today.pdf")
    assert file_names.is_file("CV Anna Schmidt.pdf")
    assert file_names.is_file("uploads/My Files/anna schmidt.pdf")
    assert file_names.is_file("passport-anna-schmidt.pdf")


def test_a_note_naming_people_is_text(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.user_notes", "comment") == "lorem", comment_of(
        text, "public.user_notes", "comment"
    )
    assert strategy_of(text, "public.attachments", "filename") == "file_name", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE comment ~* 'schmidt|miller|tanaka|@mail'),"
            " count(*) FILTER (WHERE comment ~ ' '), count(*) FROM user_notes"
        ).fetchone()
    assert row == (0, 200, 200)
