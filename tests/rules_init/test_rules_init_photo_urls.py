"""Addresses of a person's photo: Supabase's auth.users.raw_user_meta_data holds
'avatar_url' and 'picture' ('https://lh3.googleusercontent.com/a/ACg8ocK...=s96-c'
serves the face), identities.identity_data the same, profiles.avatar_url
'https://avatars.githubusercontent.com/u/<id>?v=4' names the account. All were kept.
They get `file_name` now: the host and folders stay, the last part is hashed, and one
address masks alike in a column and at a JSON path. A product's image stays kept, and
so does a picture in a table not about people even beside a masked name (a team's
banner beside its contact's, a chair's picture beside its designer's)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import photo_urls

from .helpers import generate_then_mask, rule_of, strategy_of

SUPABASE = """
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE, raw_user_meta_data jsonb,
  avatar_url text);
INSERT INTO users SELECT md5(g::text)::uuid, 'user' || g || '@mail.example',
  jsonb_build_object('full_name', (ARRAY['Anna','Paul','Marie','Jonas'])[1 + g % 4] || ' '
      || (ARRAY['Schmidt','Martin','Silva','Miller','Tanaka'])[1 + g % 5],
    'avatar_url', u, 'picture', u, 'email_verified', true),
  CASE WHEN g % 10 = 0 THEN NULL WHEN g % 10 = 1 THEN '' ELSE u END
  FROM generate_series(1, 300) g,
  LATERAL (SELECT CASE WHEN g % 2 = 0
    THEN 'https://lh3.googleusercontent.com/a/ACg8ocK' || md5(g::text) || '=s96-c'
    ELSE 'https://avatars.githubusercontent.com/u/' || (1000 + g * 37) || '?v=4' END AS u) x;
CREATE TABLE identities (id serial PRIMARY KEY, provider text, identity_data jsonb);
INSERT INTO identities (provider, identity_data)
  SELECT 'google', jsonb_build_object('email', email, 'full_name',
    raw_user_meta_data->>'full_name', 'picture', raw_user_meta_data->>'picture') FROM users;
CREATE TABLE products (id serial PRIMARY KEY, title text, image_url text, meta jsonb);
INSERT INTO products (title, image_url, meta)
  SELECT 'Product ' || g, 'https://cdn.shop.example/products/' || g || '/front.jpg',
    jsonb_build_object('sku', 'SKU' || g, 'image', 'https://cdn.shop.example/p/' || g || '.png')
  FROM generate_series(1, 200) g;
CREATE TABLE teams (id serial PRIMARY KEY, name text, contact_name text, contact_email text,
  picture text);
INSERT INTO teams (name, contact_name, contact_email, picture)
  SELECT 'Team ' || g, (ARRAY['Anna','Paul','Marie','Jonas'])[1 + g % 4] || ' '
      || (ARRAY['Schmidt','Martin','Silva','Miller','Tanaka'])[1 + g % 5],
    'contact' || g || '@mail.example', '/assets/teams/banner-' || g || '.svg'
  FROM generate_series(1, 300) g;
CREATE TABLE catalog_items (id serial PRIMARY KEY, title text, designer_name text,
  picture text);
INSERT INTO catalog_items (title, designer_name, picture)
  SELECT 'Chair ' || g, (ARRAY['Anna Schmidt','Marco Rossi','Julie Martin','Peter Jones',
    'Laura Weber'])[1 + g % 5], 'https://cdn.example.com/catalog/chair-' || g || '.jpg'
  FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_photo_names_and_values() -> None:
    assert photo_urls.photo_name("avatar_url") and photo_urls.photo_name("profileImage")
    assert photo_urls.photo_name("picture") and not photo_urls.photo_name("avatar_updated_at")
    assert not photo_urls.photo_name("image_width") and not photo_urls.photo_name("has_avatar")
    urls = [f"https://a.example/u/{i}?v=4" for i in range(5)]
    assert photo_urls.reason(urls) is not None
    assert photo_urls.reason(["https://a.example/default.png"] * 5) is None  # no one's
    assert photo_urls.reason(["blue", "green", "red", "teal"]) is None


def test_photo_addresses_beside_people_keep_their_host(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SUPABASE)
    assert strategy_of(text, "public.users", "avatar_url") == "file_name", text
    paths = rule_of(text, "public.users", "raw_user_meta_data")["paths"]
    assert paths["avatar_url"] == paths["picture"] == "file_name", paths
    paths = rule_of(text, "public.identities", "identity_data")["paths"]
    assert paths["picture"] == "file_name", paths
    # no people in a products table: its pictures are the shop's
    assert strategy_of(text, "public.products", "image_url") == "keep", text
    assert strategy_of(text, "public.products", "meta") == "keep", text
    # a masked name beside makes no team's banner nor chair's picture anyone's photo
    assert strategy_of(text, "public.teams", "contact_name") != "keep", text
    assert strategy_of(text, "public.teams", "picture") == "keep", text
    assert strategy_of(text, "public.catalog_items", "picture") == "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE avatar_url ~ 'ACg8ocK|/u/\d+(\?v=4)?$'),
                 count(*) FILTER (WHERE avatar_url !~
                   '^https://(lh3\.googleusercontent\.com/a|avatars\.githubusercontent\.com/u)/[0-9a-f]{32}$'
                   AND avatar_url <> ''),
                 count(*) FILTER (WHERE avatar_url IS NULL),
                 count(*) FILTER (WHERE avatar_url = ''),
                 count(*) FILTER (WHERE avatar_url <> raw_user_meta_data->>'picture'
                   OR raw_user_meta_data->>'picture' <> raw_user_meta_data->>'avatar_url'),
                 count(DISTINCT raw_user_meta_data->>'picture')
               FROM users"""
        ).fetchone()
        joined = conn.execute(
            "SELECT count(*) FROM identities i JOIN users u"
            " ON u.raw_user_meta_data->>'picture' = i.identity_data->>'picture'"
        ).fetchone()
        kept = conn.execute(
            "SELECT count(*) FROM products WHERE image_url LIKE '%/front.jpg'"
            " AND meta->>'image' ~ '/p/\\d+\\.png$'"
        ).fetchone()
    # none kept, every one an address on its host; NULL and blank stay; one address
    # masks alike in the column, at both keys and in the other table
    assert row == (0, 0, 30, 30, 30, 300), row
    assert joined == (300,)
    assert kept == (200,)
