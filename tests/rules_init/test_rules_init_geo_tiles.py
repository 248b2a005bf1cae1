"""Map tiles of masked coordinates: OSM's users.home_tile (a QuadTile bigint) was kept
beside the masked home_lat/home_lon, and decoded to the home within ~200 m. A tile column
beside masked coordinates of its prefix is NULL now (0 when NOT NULL); an unrelated
`tile` column (no coordinates beside it) is kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE users (
  id bigserial PRIMARY KEY, email varchar(255) NOT NULL, home_lat double precision,
  home_lon double precision, home_zoom smallint DEFAULT 3, home_tile bigint);
INSERT INTO users (email, home_lat, home_lon, home_tile)
  SELECT 'user' || i || '@mail.example', 48 + i / 1000.0, 11 + i / 700.0,
         3000000000 + i * 7919 FROM generate_series(1, 300) i;
CREATE TABLE notes (
  id bigserial PRIMARY KEY, latitude int NOT NULL, longitude int NOT NULL,
  tile bigint NOT NULL, status varchar(20) NOT NULL);
INSERT INTO notes (latitude, longitude, tile, status)
  SELECT 480000000 + i * 1000, 110000000 + i * 1300, 3000000000 + i * 104729, 'open'
  FROM generate_series(1, 300) i;
CREATE TABLE map_layers (id serial PRIMARY KEY, tile int NOT NULL, zoom int NOT NULL);
INSERT INTO map_layers (tile, zoom) SELECT i, i % 19 FROM generate_series(1, 300) i;
ANALYZE;
"""


def test_tiles_beside_masked_coordinates_do_not_survive(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.users", "home_tile") == "null", text
    assert "REVIEW" in comment_of(text, "public.users", "home_tile")
    assert rule_of(text, "public.notes", "tile") == {"strategy": "constant", "value": 0}
    assert rule_of(text, "public.map_layers", "tile") == "keep"  # no coordinates beside
    with psycopg.connect(dsn) as conn:
        users = conn.execute("SELECT count(home_tile) FROM users").fetchone()
        notes = conn.execute("SELECT count(*) FROM notes WHERE tile <> 0").fetchone()
        layers = conn.execute("SELECT count(*) FROM map_layers WHERE tile = id").fetchone()
    assert users == (0,) and notes == (0,) and layers == (300,)
