"""Name parts of masked file paths (a Strapi v4 model): files.hash 'jason_smith_0e592a9afb'
and formats.*.hash were kept with the names in them, while url and formats.*.url got
`file_name`, so no url was '/uploads/' || hash || ext any more."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules import file_stems

from .helpers import generate_then_mask, rule_of

FILES = """
CREATE TABLE files (id serial PRIMARY KEY, name varchar(255), hash varchar(255),
  ext varchar(255), mime varchar(255), url varchar(255), folder_path varchar(255),
  formats jsonb);
INSERT INTO files (name, hash, ext, mime, url, folder_path, formats)
  SELECT initcap(f) || ' ' || initcap(l) || ' headshot.jpg', h, '.jpg', 'image/jpeg',
    '/uploads/' || h || '.jpg', '/',
    jsonb_build_object('thumbnail', jsonb_build_object('hash', 'thumbnail_' || h,
      'url', '/uploads/thumbnail_' || h || '.jpg', 'ext', '.jpg', 'mime', 'image/jpeg'),
      'small', jsonb_build_object('hash', 'small_' || h,
      'url', '/uploads/small_' || h || '.jpg', 'ext', '.jpg', 'mime', 'image/jpeg'))
  FROM generate_series(1, 300) i,
  LATERAL (SELECT (ARRAY['jason', 'maria', 'sean', 'keith', 'anna', 'oliver'])[1 + i % 6] AS f,
    (ARRAY['smith', 'robinson', 'thompson', 'mack', 'schmidt'])[1 + i % 5] AS l) n,
  LATERAL (SELECT f || '_' || l || '_' || substr(md5(i::text), 1, 10) AS h) x;
ANALYZE;
"""


def test_name_parts() -> None:
    assert file_stems.name_part("/uploads/jason_smith_0e592a9afb.jpg") == "jason_smith_0e592a9afb"
    assert file_stems.name_part("jason_smith_0e592a9afb") == "jason_smith_0e592a9afb"
    paths = [f"/uploads/a_b_{i}.jpg" for i in range(4)]
    assert file_stems.reason([f"a_b_{i}" for i in range(4)], paths, "url") is not None
    # a whole copy of the values is no name part; nor are extensions or folders
    assert file_stems.reason([f"a_b_{i}" for i in range(4)], ["a_b_0", "a_b_1"], "url") is None
    assert file_stems.reason([".jpg"] * 4, paths, "url") is None
    assert file_stems.reason(["uploads"] * 4, paths, "url") is None


def test_hash_columns_mask_like_their_paths(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, FILES)
    assert rule_of(text, "public.files", "url") == "file_name", text
    assert rule_of(text, "public.files", "hash") == "file_name", text
    for kept in ("ext", "mime", "folder_path"):
        assert rule_of(text, "public.files", kept) == "keep", text
    paths = rule_of(text, "public.files", "formats")["paths"]
    assert {p: paths.get(p) for p in ("thumbnail.hash", "small.hash")} == {
        "thumbnail.hash": "file_name",
        "small.hash": "file_name",
    }, text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE url = '/uploads/' || hash || ext),
                 count(*) FILTER (WHERE formats #>> '{thumbnail,url}'
                   = '/uploads/' || (formats #>> '{thumbnail,hash}') || ext),
                 count(*) FILTER (WHERE formats #>> '{small,url}'
                   = '/uploads/' || (formats #>> '{small,hash}') || ext),
                 count(*) FILTER (WHERE hash || url || formats::text ~ 'jason|smith|maria'),
                 count(*) FILTER (WHERE ext = '.jpg' AND mime = 'image/jpeg'
                   AND formats #>> '{small,ext}' = '.jpg'),
                 count(DISTINCT hash)
               FROM files"""
        ).fetchone()
    assert row == (300, 300, 300, 0, 300, 300)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
