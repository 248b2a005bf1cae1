"""Capability links in URL columns (a Canvas LMS model): page_views.url kept its file
links '/files/1543/download?download_frd=1&verifier=8Rm8w7...' (no token name knew
`verifier`), and users.avatar_image_url, whose thumbnails and gravatars end in a random
token, got `hash`: 32 hex, no URL any more."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE users (id bigserial PRIMARY KEY, name varchar(255),
  avatar_image_url varchar(255), workflow_state varchar(255) NOT NULL DEFAULT 'registered');
INSERT INTO users (name, avatar_image_url) SELECT 'User ' || g,
  CASE WHEN g % 2 = 0
    THEN 'https://secure.gravatar.com/avatar/' || md5('e' || g)
      || '?s=50&d=https%3A%2F%2Fcanvas.instructure.com%2Fimages%2Fmessages%2Favatar-50.png'
    ELSE 'https://canvas.instructure.com/images/thumbnails/' || g || '/'
      || md5('t' || g) || substr(md5('u' || g), 1, 8) END
  FROM generate_series(1, 200) g;
CREATE TABLE page_views (request_id varchar(255) PRIMARY KEY, user_id bigint, url text);
INSERT INTO page_views SELECT md5('r' || g), g,
  CASE WHEN g % 2 = 0
    THEN 'https://springfield.instructure.com/users/' || g || '/files/' || (g * 7)
      || '/download?download_frd=1&verifier=' || translate(rtrim(encode(decode(
      md5('v' || g) || substr(md5('w' || g), 1, 12), 'hex'), 'base64'), '='), '+/', '-_')
    ELSE 'https://springfield.instructure.com/courses/3/assignments/' || g END
  FROM generate_series(1, 400) g;
CREATE TABLE links (id serial PRIMARY KEY, url text NOT NULL);
INSERT INTO links (url) SELECT 'https://shop.example.com/products/' || g
  || '?page=' || (g % 5) || '&sort=created_at&key=shoes' FROM generate_series(1, 50) g;
ANALYZE;
"""


def test_verifier_tokens_are_replaced_and_token_urls_stay_urls(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.page_views", "url")["strategy"] == "sql", text
    assert rule_of(text, "public.users", "avatar_image_url") == "file_name", text
    assert rule_of(text, "public.links", "url") == "keep", text
    with psycopg.connect(dsn) as conn:
        views = conn.execute(
            """SELECT count(*) FILTER (WHERE url ~ 'verifier=redacted' AND url !~ 'verifier=[^r]'
                 AND url ~ '^https://springfield.instructure.com/users/\\d+/files/\\d+/download'),
                 count(*) FILTER (WHERE url ~ '/courses/3/assignments/\\d+$')
               FROM page_views"""
        ).fetchone()
        avatars = conn.execute(
            """SELECT count(*) FILTER (WHERE avatar_image_url ~
                   '^https://secure.gravatar.com/avatar/[0-9a-f]{32}([.]png)?$'
                 AND avatar_image_url <> 'https://secure.gravatar.com/avatar/' || md5('e' || id)),
                 count(*) FILTER (WHERE avatar_image_url ~
                   '^https://canvas.instructure.com/images/thumbnails/\\d+/[0-9a-f]{32}$'),
                 count(DISTINCT avatar_image_url)
               FROM users"""
        ).fetchone()
        links = conn.execute(
            "SELECT count(*) FROM links WHERE url ~ '&sort=created_at&key=shoes$'"
        ).fetchone()
    assert views == (200, 200)
    assert avatars == (100, 100, 200)
    assert links == (50,)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def test_tokens_in_a_folder_keep_the_whole_hash(make_db, tmp_path: Path) -> None:
    """A shared file's token in a folder ('/s/<token>/view'): file_name would keep it, so
    the address is still hashed whole."""
    _dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        """CREATE TABLE shares (id serial PRIMARY KEY, link text NOT NULL);
        INSERT INTO shares (link) SELECT 'https://files.example.com/s/'
          || translate(rtrim(encode(decode(md5('d' || g) || md5('e' || g), 'hex'),
          'base64'), '='), '+/', '-_') || '/view' FROM generate_series(1, 40) g;
        ANALYZE;""",
    )
    assert rule_of(text, "public.shares", "link") == "hash", text
