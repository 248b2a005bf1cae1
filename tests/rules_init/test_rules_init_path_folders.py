"""Immich's assets: "originalPath" named its owner in a few rows and got `lorem`
(own_names.py), "sidecarPath" (the original's path plus '.xmp') `lorem` too, so the
sidecar no longer sat beside its original and neither was a path. Both get
`file_name` now: the folders that vary (the owner's storage label 'anthony119')
hashed alike in both columns, the application's own folders and dates kept."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

FIRST = "ARRAY['Anthony', 'Lena', 'Steven', 'Maria', 'Jonas', 'Chloe']"
LAST = "ARRAY['Vasconcelos', 'van de Brink', 'Paul', 'Rossi', 'Meyer']"
SCHEMA = f"""
CREATE TABLE users (id uuid PRIMARY KEY, name varchar NOT NULL DEFAULT '',
  email varchar NOT NULL UNIQUE, "storageLabel" varchar UNIQUE, plan varchar);
INSERT INTO users SELECT md5('u' || i)::uuid, fn || ' ' || ln,
    lower(fn || '.' || replace(ln, ' ', '') || i) || '@gmail.com',
    CASE WHEN i % 4 > 0 THEN lower(fn) || (100 + i) END,
    (ARRAY['family', 'basic', 'premium'])[1 + i % 3] || (1 + i % 2)
  FROM (SELECT i, ({FIRST})[1 + i % 6] fn, ({LAST})[1 + i % 5] ln
        FROM generate_series(1, 30) i) s;
CREATE TABLE assets (id uuid PRIMARY KEY, "ownerId" uuid NOT NULL REFERENCES users(id),
  "originalPath" varchar NOT NULL, "sidecarPath" varchar);
INSERT INTO assets SELECT md5('a' || i)::uuid, u.id, p, CASE WHEN i % 2 = 0 THEN p || '.xmp' END
  FROM (SELECT i, (SELECT id FROM users ORDER BY id OFFSET i % 30 LIMIT 1) uid,
        CASE WHEN i % 4 = 0 THEN split_part(u0.name, ' ', 1) || ' birthday party.HEIC'
             ELSE 'IMG_' || (1000 + i) || '.HEIC' END f
        FROM generate_series(1, 400) i
        JOIN LATERAL (SELECT name FROM users ORDER BY id OFFSET i % 30 LIMIT 1) u0 ON true) s
  JOIN users u ON u.id = s.uid,
  LATERAL (SELECT 'upload/library/' || COALESCE(u."storageLabel", u.id::text) || '/2019/'
           || '2019-03-08/' || s.f AS p) pp;
-- read as text naming people (lorem before): a folder per client, 'Anna Schmidt'
CREATE TABLE exports (id serial PRIMARY KEY, path varchar NOT NULL);
INSERT INTO exports (path) SELECT CASE WHEN i % 5 < 2 THEN 'exports/clients/'
    || (ARRAY['Anna', 'Jonas', 'Laura', 'Peter', 'Maria', 'Karl', 'Olga', 'Ines', 'Frank',
              'Paul', 'Emma', 'Lena'])[1 + i % 12] || ' '
    || (ARRAY['Schmidt', 'Meyer', 'Rossi', 'Brown', 'Lopez', 'Weber', 'Novak'])[1 + i % 7]
    || '/invoice-' || i || '.pdf'
  ELSE 'exports/' || (2000 + i % 7) || '/invoice-' || i || '.pdf' END
  FROM generate_series(1, 300) i;
-- a decoy: the application's own assets, no one's folder or name
CREATE TABLE app_assets (id serial PRIMARY KEY, path varchar NOT NULL);
INSERT INTO app_assets (path) SELECT 'static/icons/' || (ARRAY['home', 'search', 'album'])
  [1 + i % 3] || '-' || i || '.png' FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_paths_naming_their_owner_stay_paths_with_their_folders_hashed(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for column in ("originalPath", "sidecarPath"):
        rule = rule_of(text, "public.assets", column)
        assert rule == {
            "strategy": "file_name",
            "folders": "hash",
            "keep_folders": ["library", "upload"],
        }, text
    assert rule_of(text, "public.app_assets", "path") == "keep"
    exports = {"strategy": "file_name", "folders": "hash", "keep_folders": ["clients", "exports"]}
    assert rule_of(text, "public.exports", "path") == exports, text
    # 'anthony119': a first name and digits, a login: hashed as a slug is
    label = {"strategy": "hash", "prefix": "user-", "unique": True}
    assert rule_of(text, "public.users", "storageLabel") == label, text
    assert rule_of(text, "public.users", "plan") == "keep"  # 'family1': no one's name
    with psycopg.connect(dsn) as conn:
        rows = conn.execute('SELECT "originalPath", "sidecarPath" FROM assets').fetchall()
        exported = [p for (p,) in conn.execute("SELECT path FROM exports")]
        masked = {r for (r,) in conn.execute('SELECT "storageLabel" FROM users') if r}
    assert all(re.fullmatch("user-[0-9a-f]+", label) for label in masked), masked
    labels = {"anthony", "lena", "steven", "maria", "Anthony", "Lena", "Steven", "Maria"}
    shape = r"upload/library/([0-9a-f]{32}|[0-9a-f-]{36})/2019/2019-03-08/[0-9a-f]{32}\.HEIC"
    for original, sidecar in rows:
        assert re.fullmatch(shape, original), original
        assert sidecar is None or sidecar == original + ".xmp", (original, sidecar)
        assert not any(label in original for label in labels), original
    for path in exported:
        assert re.fullmatch(r"exports/(clients/[0-9a-f]{32}|20\d\d)/[0-9a-f]{32}\.pdf", path), path
