"""File names naming people: Outline's attachments.name ('passport-vincent-schwital.pdf')
was kept, and its storage key ('uploads/<uuid>/<uuid>/passport-vincent-schwital.pdf')
got `lorem`, words that are no path. Both get `file_name` now: the name part hashed,
folders and extension kept, the key still ending in its masked name."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules import file_names

from .helpers import generate_then_mask, rule_of, strategy_of

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


# Chatwoot's contacts.email and Ghost's users.email: 'first.last.N@domain' read as a
# file with the extension '.br' or '.org' naming a person, so both got `file_name`
# (bare hex, no '@': staff could no longer log in). A real file name column beside them
# still gets file_name.
ADDRESSES = """
CREATE TABLE contacts (id serial PRIMARY KEY, name text, email varchar UNIQUE, cv text);
INSERT INTO contacts (name, email, cv)
  SELECT f || ' ' || l, lower(f || '.' || l || '.' || i) || '@bol.com.br',
    CASE WHEN i % 2 = 0 THEN 'report-' || i || '.pdf'
      ELSE lower(f || '_' || l) || '_cv.docx' END
  FROM generate_series(1, 200) i,
  LATERAL (SELECT (ARRAY['Anna', 'John', 'Maria', 'Pierre', 'Luca', 'Sophie', 'Jan'])[1 + i % 7] f,
    (ARRAY['Schmidt', 'Smith', 'Garcia', 'Dubois', 'Rossi', 'Martin'])[1 + (i / 7) % 6] l) n;
CREATE TABLE users (id varchar(24) PRIMARY KEY, name text NOT NULL, email varchar(191) UNIQUE);
INSERT INTO users
  SELECT md5(i::text)::varchar(24), n, lower(replace(n, ' ', '-')) || i || '@ghost-blog.org'
  FROM generate_series(1, 12) i,
  LATERAL (SELECT (ARRAY['Hans Gerhard Dietz', 'Nina Renier Mazzocchi', 'José María Ripoll',
    'Anna Schmidt', 'Laura Sanders', 'Mason Brunswijk', 'Jean Pierre Martin', 'Maria Luisa Rossi',
    'Karl Heinz Weber', 'Anna Lena Meyer', 'Luca Rossi', 'Eva Novak'])[i] n) x;
ANALYZE;
"""


def test_an_email_address_is_no_file_name() -> None:
    assert not file_names.is_file("benjamin.jesus.1@bol.com.br")
    assert not file_names.is_file("hans-gerhard-dietz1@ghost-blog.org")
    assert file_names.is_file("logo@2x.png")  # an image's scale, no address
    assert file_names.is_file("uploads/anna.schmidt@mail.example/cv.pdf")


def test_email_columns_get_email_not_file_name(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ADDRESSES)
    assert rule_of(text, "public.contacts", "email") == {"strategy": "email", "unique": True}
    assert rule_of(text, "public.users", "email") == {"strategy": "email", "unique": True}
    assert strategy_of(text, "public.contacts", "cv") == "file_name", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE email !~ '^[^@\s]+@[^@\s]+\.[a-z]+$'),
                 count(*) FILTER (WHERE email ~* 'schmidt|garcia|bol\.com'),
                 count(*) FILTER (WHERE cv !~ '^[0-9a-f]{32}\.(pdf|docx)$'),
                 count(DISTINCT email)
               FROM contacts"""
        ).fetchone()
        users = conn.execute(
            "SELECT count(*) FILTER (WHERE email NOT LIKE '%_@_%.%'), count(DISTINCT email)"
            " FROM users"
        ).fetchone()
    assert row == (0, 0, 0, 200)
    assert users == (0, 12)


# Moodle's mdl_files: filename '.' in every directory's row, pathnamehash the sha1 of
# the full path with the file name. '.' became hex (the tree was lost) and the digest
# was kept (no longer matching, and a dictionary attack gave the names back).
MOODLE_FILES = """
CREATE TABLE mdl_files (id bigserial PRIMARY KEY, contenthash varchar(40) NOT NULL,
  pathnamehash varchar(40) NOT NULL UNIQUE, contextid bigint NOT NULL,
  filepath varchar(255) NOT NULL, filename varchar(255) NOT NULL, source text);
INSERT INTO mdl_files (contenthash, pathnamehash, contextid, filepath, filename, source)
  SELECT encode(sha256(fn::bytea), 'hex')::varchar(40), sha1_of(i, fn), i, '/', fn,
         NULLIF(fn, '.')
  FROM generate_series(1, 200) i, LATERAL (SELECT unnest(ARRAY['.', essay(i)]) fn) x;
ANALYZE;
"""
FUNCTIONS = """
CREATE FUNCTION essay(i int) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT (ARRAY['Anna', 'John', 'Maria', 'Pierre', 'Luca', 'Sophie', 'Jan', 'Eva'])[1 + i % 8]
    || '_'
    || (ARRAY['Schmidt', 'Smith', 'Garcia', 'Dubois', 'Rossi', 'Martin', 'Novak'])[1 + (i / 8) % 7]
    || '_Essay_Final.docx' $$;
CREATE FUNCTION sha1_of(i bigint, fn text) RETURNS varchar(40) IMMUTABLE LANGUAGE sql AS $$
  SELECT encode(sha256(('/' || i || '/' || fn)::bytea), 'hex')::varchar(40) $$;
"""


def test_moodle_directory_entries_and_path_digests(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, FUNCTIONS + MOODLE_FILES)
    assert strategy_of(text, "public.mdl_files", "filename") == "file_name", text
    # the file's origin, a file name too: the digest is switched on the one holding '.'
    assert strategy_of(text, "public.mdl_files", "source") == "file_name", text
    assert rule_of(text, "public.mdl_files", "pathnamehash") == {
        "strategy": "switch",
        "by": "filename",
        "cases": {".": "keep", "..": "keep", "": "keep"},
        "default": {"strategy": "hash", "length": 40},
        "unique": True,
    }
    assert strategy_of(text, "public.mdl_files", "contenthash") == "keep", text  # the stored file
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE filename = '.'),
                 count(*) FILTER (WHERE filename <> '.' AND filename !~ '^[0-9a-f]{32}\.docx$'),
                 count(*) FILTER (WHERE pathnamehash !~ '^[0-9a-f]{40}$'),
                 count(*) FILTER (WHERE filename = '.' AND pathnamehash = sha1_of(contextid, '.')),
                 count(*) FILTER (WHERE pathnamehash = sha1_of(contextid, essay(contextid::int))),
                 count(DISTINCT pathnamehash),
                 count(*) FILTER (WHERE contenthash IN (encode(sha256('.'), 'hex')::varchar(40),
                   encode(sha256(essay(contextid::int)::bytea), 'hex')::varchar(40)))
               FROM mdl_files"""
        ).fetchone()
    # a directory's path is kept, so is its digest; a file's is the digest of no path
    assert row == (200, 0, 0, 200, 0, 400, 400)
    # the leak check samples no directory entry ('.' is kept by design)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
