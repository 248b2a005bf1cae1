"""Folders named after people: Immich's assets.originalPath
'/upload/library/anna/2023/IMG_1.jpg' (the owner's first name as a folder) was kept
with no note, while its sidecarPath (the same and '.xmp') earned one. Both earn a
REVIEW note now."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import path_people

from .helpers import comment_of, generate_and_compile, strategy_of

FIRST = "Anna Lukas Marie Jean Sophie Hans Claire Peter Emma Louis Julia Felix Chloe Max Lea"
LAST = "Schmidt Dubois Weber Martin Fischer Bernard Wagner Petit Becker Moreau Hoffmann Roux"

SCHEMA = f"""
CREATE TABLE users (id uuid PRIMARY KEY, name text NOT NULL);
INSERT INTO users SELECT md5(i::text)::uuid, f || ' ' || l
FROM (SELECT i, (string_to_array('{FIRST}', ' '))[1 + i % 15] AS f,
             (string_to_array('{LAST}', ' '))[1 + i / 15 % 12] AS l
      FROM generate_series(0, 44) i) s;
CREATE TABLE assets (id uuid PRIMARY KEY, "ownerId" uuid NOT NULL REFERENCES users,
  "originalPath" text NOT NULL, "sidecarPath" text, "thumbnailPath" text NOT NULL);
INSERT INTO assets SELECT md5('a' || i)::uuid, u.id,
  '/upload/library/' || lower(split_part(u.name, ' ', 1)) || '/2023/IMG_' || i || '.jpg',
  CASE WHEN i % 3 > 0 THEN '/upload/library/' || lower(split_part(u.name, ' ', 1))
    || '/2023/IMG_' || i || '.jpg.xmp' END,
  '/upload/thumbs/' || u.id || '/IMG_' || i || '.webp'
FROM generate_series(0, 1499) i JOIN users u ON u.id = md5((i % 45)::text)::uuid;
ANALYZE;
"""


def test_note_on_first_name_folders() -> None:
    paths = [
        f"/upload/library/{n}/2023/IMG_{i}.jpg" for i, n in enumerate(["anna", "lukas", "marie"])
    ]
    assert path_people.note(paths) is not None
    assert path_people.note(["/upload/library/anna/IMG_1.jpg"] * 3) is None  # one person
    assert path_people.note(["/var/lib/app/a.jpg", "/var/lib/app/b.jpg"] * 3) is None
    assert path_people.note(["Anna Schmidt", "Lukas Weber", "Marie Petit"]) is None


def test_paths_with_first_name_folders_earn_a_review_note(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    for column in ("originalPath", "sidecarPath"):
        assert strategy_of(text, "public.assets", column) == "keep", text
        note = comment_of(text, "public.assets", column)
        assert note.startswith("REVIEW: "), text
        assert "with a first name as the same folder (" in note, text
    assert "REVIEW" not in comment_of(text, "public.assets", "thumbnailPath"), text
