"""OwnTracks' geohash `ghash` 'u0tvq5j' (about 150 m) was kept beside lat and lon
masked to 11 km, in its column and in the raw JSON payload: it keeps its first three
characters (about 150 km), the rest '0', still a valid geohash. A `ghash`-named column
of other values stays as it was judged."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE locations (id serial PRIMARY KEY, ghash varchar(12), raw jsonb NOT NULL,
  status_ghash text);
INSERT INTO locations (ghash, raw, status_ghash) SELECT g, jsonb_build_object('_type',
  'location', 'ghash', g, 'tid', 'jo'), 'ok' FROM (SELECT i, (ARRAY['u0tvq5j', 'u0tvjwp',
  'u0tsxk7', 'u0ty2b3', 'u0tvmn8'])[1 + i % 5] AS g FROM generate_series(1, 60) i) s;
ANALYZE;
"""
_GEOHASH = re.compile(r"u0t0000")


def test_geohashes_keep_three_characters(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    expected = {"strategy": "partial", "keep_first": 3, "mask_char": "0"}
    assert rule_of(text, "public.locations", "ghash") == expected, text
    assert rule_of(text, "public.locations", "raw")["paths"]["ghash"] == expected, text
    assert rule_of(text, "public.locations", "status_ghash") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT ghash, raw ->> 'ghash', status_ghash FROM locations")
        for column, in_json, status in rows.fetchall():
            assert _GEOHASH.fullmatch(column) and _GEOHASH.fullmatch(in_json), (column, in_json)
            assert status == "ok"
