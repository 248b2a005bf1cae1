"""Picture addresses whose file names a machine made (Lemmy's pict-rs UUIDs, Misskey's
base62 tokens): `file_name` hashed a random name, which hid nothing and made every
avatar a 404. They are kept with a note; names in file names and Gravatar's md5 of the
address are still masked."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import photo_urls

from .helpers import comment_of, generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL, avatar text, banner text);
INSERT INTO person (name, avatar, banner)
  SELECT 'user' || g,
    CASE WHEN g % 3 <> 0 THEN 'https://lemmy.example/pictrs/image/' || md5('a' || g)::uuid
         || '.png' END,
    'https://lemmy.example/pictrs/image/' || substr(md5('b' || g), 1, 20) || '.webp'
  FROM generate_series(1, 200) g;
CREATE TABLE "user" (id serial PRIMARY KEY, username text, "avatarUrl" text);
INSERT INTO "user" (username, "avatarUrl")
  SELECT 'user' || g, 'https://remote.example/system/accounts/avatars/' || g
    || '/original/' || translate(encode(decode(md5('c' || g), 'hex'), 'base64'), '+/=', 'Xy')
    || 'Q7.png'
  FROM generate_series(1, 200) g;
CREATE TABLE members (id serial PRIMARY KEY, full_name text, avatar text, gravatar_url text);
INSERT INTO members (full_name, avatar, gravatar_url)
  SELECT f || ' ' || l, 'https://cdn.example.com/avatars/' || lower(f) || '-' || lower(l)
    || '-' || g || '.jpg', 'https://www.gravatar.com/avatar/' || md5('m' || g) || '?s=80'
  FROM generate_series(1, 200) g,
  LATERAL (SELECT (ARRAY['Anna','Paul','Marie','Jonas'])[1 + g % 4] f,
                  (ARRAY['Schmidt','Martin','Silva','Miller','Tanaka'])[1 + g % 5] l) x;
ANALYZE;
"""


def test_machine_made_file_names() -> None:
    made = [
        "https://l.example/pictrs/image/3170a482-5b1e-4c8f-9d2a-0e6f7a8b9c0d.png",
        "https://m.example/files/webpublic-0d1e2f3a4b5c6d7e.webp",  # Misskey's drive
        "https://m.example/original/aB3dE5fG7hJ9kL1m.png",
        "https://m.example/original/0123456789abcdef.png",
    ]
    assert [photo_urls._machine_made(u) for u in made] == [True, True, True, True]
    for kept in (
        "https://c.example/avatars/anna-schmidt.jpg",
        "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346?s=80",  # md5
        "https://avatars.githubusercontent.com/u/1037?v=4",
        "https://c.example/avatars/AnnaSchmidt.png",
    ):
        assert not photo_urls._machine_made(kept), kept
    assert photo_urls.machine_named(made[:1] * 3 + made[2:]) is not None
    assert photo_urls.machine_named(made[:1] + ["https://c.example/a/anna.jpg"] * 4) is None


def test_random_picture_names_are_kept_named_ones_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in (
        ("public.person", "avatar"),
        ("public.user", "avatarUrl"),
    ):
        assert strategy_of(text, table, column) == "keep", comment_of(text, table, column)
    assert "random ids" in comment_of(text, "public.person", "avatar")
    assert strategy_of(text, "public.members", "avatar") == "file_name", text
    assert strategy_of(text, "public.members", "gravatar_url") != "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE avatar ~ '/pictrs/image/[0-9a-f-]{36}[.]png$')"
            " FROM person"
        ).fetchone()
        named = conn.execute(
            "SELECT count(*) FILTER (WHERE avatar ~* 'schmidt|martin|silva|miller|tanaka'"
            " OR gravatar_url ~ md5('m' || id)) FROM members"
        ).fetchone()
    assert row is not None and row[0] > 100
    assert named == (0,)
