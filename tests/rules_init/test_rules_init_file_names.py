"""File names naming people: Outline's attachments.name ('passport-vincent-schwital.pdf')
was kept, and its storage key ('uploads/<uuid>/<uuid>/passport-vincent-schwital.pdf')
got `lorem`, words that are no path. Both get `file_name` now: the name part hashed,
folders and extension kept, the key still ending in its masked name."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules import file_names

from .helpers import generate_then_mask, strategy_of

ATTACHMENTS = """
CREATE TABLE attachments (id serial PRIMARY KEY, name text NOT NULL, key text UNIQUE NOT NULL);
INSERT INTO attachments (name, key)
  SELECT n, 'uploads/' || md5(i::text)::uuid || '/' || md5((-i)::text)::uuid || '/' || n
  FROM generate_series(1, 400) i,
  LATERAL (SELECT CASE WHEN i % 4 = 0 THEN 'report-' || i || '.pdf'
    ELSE (ARRAY['passport', 'cv', 'id_card'])[1 + i % 3] || '-'
      || (ARRAY['vincent', 'maria', 'sean', 'keith', 'anna', 'oliver', 'sophie'])[1 + i % 7]
      || (ARRAY['-', '_', '.'])[1 + i % 3]
      || (ARRAY['schwital', 'robinson', 'thompson', 'mack', 'schmidt'])[1 + i % 5]
      || (ARRAY['.pdf', '.png', '.docx'])[1 + i % 3] END AS n) f;
ANALYZE;
"""


def test_people_in_file_names() -> None:
    assert file_names.people_in("uploads/1/2/passport-vincent-schwital.pdf") == {"vincent schwital"}
    assert file_names.people_in("cv_Schmidt_Anna.docx") == {"schmidt anna"}
    assert file_names.people_in("report-2024.pdf") == frozenset()


def test_file_names_naming_people_keep_their_shape(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ATTACHMENTS)
    assert strategy_of(text, "public.attachments", "name") == "file_name", text
    assert strategy_of(text, "public.attachments", "key") == "file_name", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE key NOT LIKE '%/' || name),
                 count(*) FILTER (WHERE name !~ '^[0-9a-f]{32}\.(pdf|png|docx)$'),
                 count(*) FILTER (WHERE key !~ '^uploads/[0-9a-f-]{36}/[0-9a-f-]{36}/'),
                 count(*) FILTER (WHERE key || name ~* 'vincent|maria|schwital|robinson'),
                 count(DISTINCT name), count(DISTINCT key)
               FROM attachments"""
        ).fetchone()
    # 300 names of people (3 x 7 x 3 x 5 combinations of 105) and 100 reports
    assert row == (0, 0, 0, 0, 205, 400)


UPLOADS = """
CREATE TABLE uploads (id serial PRIMARY KEY, url text, avatar text, profile text);
INSERT INTO uploads (url, avatar, profile)
  SELECT 'https://cdn.example/uploads/2023/' || p || (ARRAY['_passport.pdf', '_cv.docx'])[1 + i % 2]
      || CASE WHEN i % 5 = 0 THEN '?v=' || i ELSE '' END,
    '/media/avatars/' || replace(p, '_', '-') || '.jpg',
    'https://www.example.org/people/' || replace(p, '_', '-')
  FROM generate_series(1, 300) i,
  LATERAL (SELECT
      (ARRAY['vincent', 'maria', 'sean', 'keith', 'anna', 'oliver', 'sophie'])[1 + i % 7]
      || '_' || (ARRAY['schwital', 'robinson', 'thompson', 'mack', 'schmidt'])[1 + i % 5] AS p) f;
ANALYZE;
"""


def test_file_names_in_web_addresses_and_absolute_paths() -> None:
    url = "https://cdn.example/uploads/2023/anna_schmidt_passport.pdf?sig=ab12"
    assert file_names.is_file(url) and file_names.people_in(url) == {"anna schmidt"}
    assert file_names.people_in("/media/avatars/john-smith.jpg") == {"john smith"}
    assert not file_names.is_file("https://www.linkedin.com/in/anna-schmidt")  # a page


def test_files_named_in_urls_keep_the_address(make_db, tmp_path: Path) -> None:
    """Both columns were kept: a URL and an absolute path were no file names."""
    dsn, text = generate_then_mask(make_db, tmp_path, UPLOADS)
    assert strategy_of(text, "public.uploads", "url") == "file_name", text
    assert strategy_of(text, "public.uploads", "avatar") == "file_name", text
    assert strategy_of(text, "public.uploads", "profile") != "file_name", text  # pages
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE url !~
                   '^https://cdn\.example/uploads/2023/[0-9a-f]{32}(\.pdf|\.docx)?$'),
                 count(*) FILTER (WHERE avatar !~ '^/media/avatars/[0-9a-f]{32}\.jpg$'),
                 count(*) FILTER (WHERE url || avatar ~* 'vincent|maria|schwital|robinson')
               FROM uploads"""
        ).fetchone()
    assert row == (0, 0, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
