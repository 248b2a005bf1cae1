"""Places in PostgreSQL's geometric `point`: a user's home `location point` was kept to
the metre, as no strategy fitted a point and rules init never read one. A point named
for a place and holding degrees goes to the 0.1-degree grid numeric latitudes get (x
and y each, still a point, its GiST index rebuilt and used); pixel positions
(`canvas_position`), a `location` in pixels, degrees under a name that says nothing and
a point under an exclusion constraint are kept, the last three with a REVIEW note."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE users (id serial PRIMARY KEY, username text NOT NULL, location point,
  canvas_position point);
INSERT INTO users (username, location, canvas_position)
  SELECT 'user' || i,
    CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN point(0, 0)
      ELSE point(2.3522219 + (i % 37) * 0.0131 - 0.2, 48.856614 + (i % 29) * 0.0117 - 0.15) END,
    point((i * 37) % 1920, (i * 53) % 1080)
  FROM generate_series(1, 400) i;
INSERT INTO users (username, location) VALUES ('south', point(-58.381592, -34.603722)),
  ('east', point(151.209296, -33.868820));
CREATE INDEX users_location_gist ON users USING gist (location);
CREATE TABLE tracker_fixes (id serial PRIMARY KEY, device_id int NOT NULL, coords point NOT NULL);
INSERT INTO tracker_fixes (device_id, coords)
  SELECT i % 5, point(13.404954 + i * 0.00021, 52.520008 - i * 0.00017)
  FROM generate_series(1, 200) i;
CREATE TABLE map_markers (id serial PRIMARY KEY, location point, pos point);
INSERT INTO map_markers (location, pos)
  SELECT point(100 + i * 7, 300 + i * 3), point(7.436 + i * 0.00123, 48.691 + i * 0.00117)
  FROM generate_series(1, 60) i;
CREATE TABLE stations (id serial PRIMARY KEY, geo point,
  EXCLUDE USING gist (geo WITH ~=));
INSERT INTO stations (geo) SELECT point(8.682127 + i * 0.00031, 50.110924 + i * 0.00029)
  FROM generate_series(1, 40) i;
ANALYZE;
"""


def _on_grid(value: float) -> bool:
    return Decimal(str(value)) * 10 % 1 == 0


def _xy(point: str) -> tuple[float, float]:
    x, y = point.strip("()").split(",")
    return float(x), float(y)


def test_location_points_go_to_a_grid_and_other_points_stay(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        homes = dict(conn.execute("SELECT id, location::text FROM users"))
        canvas = dict(conn.execute("SELECT id, canvas_position::text FROM users"))
        markers = list(
            conn.execute("SELECT location::text, pos::text FROM map_markers ORDER BY id")
        )
        stations = list(conn.execute("SELECT geo::text FROM stations ORDER BY id"))
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    grid = {"strategy": "generalize", "bucket": 0.1}
    assert rule_of(text, "public.users", "location") == grid, text
    assert rule_of(text, "public.tracker_fixes", "coords") == grid, text
    for table, column in (
        ("users", "canvas_position"),
        ("map_markers", "location"),
        ("map_markers", "pos"),
        ("stations", "geo"),
    ):
        assert rule_of(text, f"public.{table}", column) == "keep", (table, column, text)
    assert "REVIEW" not in comment_of(text, "public.users", "canvas_position")
    assert "beyond a latitude's 90" in comment_of(text, "public.map_markers", "location")
    assert "names no place" in comment_of(text, "public.map_markers", "pos")
    assert "stations_geo_excl" in comment_of(text, "public.stations", "geo")
    with psycopg.connect(dsn) as conn:
        kind = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'users'::regclass AND attname = 'location'"
        ).fetchone()
        masked = dict(conn.execute("SELECT id, location::text FROM users"))
        fixes = [r[0] for r in conn.execute("SELECT coords::text FROM tracker_fixes")]
        canvas_after = dict(conn.execute("SELECT id, canvas_position::text FROM users"))
        markers_after = list(
            conn.execute("SELECT location::text, pos::text FROM map_markers ORDER BY id")
        )
        stations_after = [r[0] for r in conn.execute("SELECT geo::text FROM stations ORDER BY id")]
        valid = conn.execute(
            "SELECT indisvalid AND indisready FROM pg_index"
            " WHERE indexrelid = 'users_location_gist'::regclass"
        ).fetchone()
        box = "location <@ box '((2.0,48.5),(2.5,49.0))'"
        by_scan = conn.execute(f"SELECT count(*) FROM users WHERE {box}").fetchone()
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0] for r in conn.execute(f"EXPLAIN SELECT count(*) FROM users WHERE {box}")
        )
        by_index = conn.execute(f"SELECT count(*) FROM users WHERE {box}").fetchone()
    assert kind == ("point",)
    moved = 0
    for id_, after in masked.items():
        before = homes[id_]
        if before is None:
            assert after is None, id_  # NULL stays NULL
            continue
        for cut, original in zip(_xy(after), _xy(before), strict=True):
            assert _on_grid(cut), (before, after)
            assert abs(cut) <= abs(original) and abs(cut - original) < 0.1, (before, after)
        moved += after != before
    assert moved > 300, moved
    assert homes[1] == masked[1] == "(0,0)"  # "not set" stays
    assert [masked[401], masked[402]] == ["(-58.3,-34.6)", "(151.2,-33.8)"]
    assert all(_on_grid(c) for fix in fixes for c in _xy(fix)), fixes[:3]
    assert canvas_after == canvas
    assert markers_after == markers and stations_after == [s[0] for s in stations]
    # the GiST index is rebuilt over the masked points, and used
    assert valid == (True,)
    assert "users_location_gist" in plan, plan
    assert by_index == by_scan and by_scan is not None and by_scan[0] > 300
