"""Numeric coordinates go to a 0.1-degree grid: `noise` of up to 0.05 per value averaged
out over a Traccar device's positions (its track centred within 600 m of the real one, a
home found to 4-680 m), and moved Traccar's 0/0 ("not set") off zero. `generalize` keeps
0/0 and NULL, fits double precision and numeric(9,6) and never leaves the range; OSM's
integer degrees x 1e7 (whose every value is on the grid already) keep their noise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE tc_positions (id serial PRIMARY KEY, deviceid int NOT NULL,
  latitude double precision NOT NULL DEFAULT 0, longitude double precision NOT NULL DEFAULT 0);
INSERT INTO tc_positions (deviceid, latitude, longitude)
  SELECT i % 3, 48.6912 + (i % 17) * 0.0007 - 0.006, 7.4357 + (i % 13) * 0.0009 - 0.005
  FROM generate_series(1, 300) i;
INSERT INTO tc_positions (deviceid, latitude, longitude)
  VALUES (9, 0, 0), (9, 89.99, 179.99), (9, -89.99, -179.99);
CREATE TABLE waypoints (id serial PRIMARY KEY, lat numeric(9,6), lon numeric(9,6));
INSERT INTO waypoints (lat, lon) SELECT 52.520008 + i * 0.001, 13.404954 - i * 0.001
  FROM generate_series(1, 50) i;
INSERT INTO waypoints (lat, lon) VALUES (NULL, NULL), (-89.999999, 179.999999);
CREATE TABLE current_nodes (id bigint PRIMARY KEY, latitude int NOT NULL, longitude int NOT NULL);
INSERT INTO current_nodes SELECT i, 486912345 + i * 77, 74357123 - i * 91
  FROM generate_series(1, 50) i;
ANALYZE;
"""


def test_numeric_coordinates_go_to_a_grid(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        positions = dict(
            (r[0], r[1:]) for r in conn.execute("SELECT id, latitude, longitude FROM tc_positions")
        )
        nodes = dict(conn.execute("SELECT id, latitude FROM current_nodes"))
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in (("tc_positions", "latitude"), ("waypoints", "lon")):
        rule = rule_of(text, f"public.{table}", column)
        assert rule == {"strategy": "generalize", "bucket": 0.1}, text
    assert rule_of(text, "public.current_nodes", "latitude")["strategy"] == "noise", text
    with psycopg.connect(dsn) as conn:
        masked = list(conn.execute("SELECT id, latitude, longitude FROM tc_positions"))
        points = list(conn.execute("SELECT lat, lon FROM waypoints"))
        moved = dict(conn.execute("SELECT id, latitude FROM current_nodes"))
        centre = conn.execute(
            "SELECT avg(latitude), avg(longitude) FROM tc_positions WHERE deviceid = 1"
        ).fetchone()
    for id_, latitude, longitude in masked:
        for value, before in zip((latitude, longitude), positions[id_], strict=True):
            assert Decimal(str(value)) * 10 % 1 == 0, (value, before)  # on the grid
            assert abs(value) <= abs(before) and abs(value - before) < 0.1
    assert (0.0, 0.0) in [row[1:] for row in masked]  # Traccar's "not set" stays
    # the track's centre is a grid corner, not the home within metres
    assert centre is not None and (round(centre[0], 6), round(centre[1], 6)) == (48.6, 7.4)
    assert (None, None) in points and (Decimal("-89.9"), Decimal("179.9")) in points
    assert all(p[0] is None or p[0] * 10 % 1 == 0 for p in points)
    assert sum(moved[i] != nodes[i] for i in nodes) == len(nodes)  # noise, as before
