"""Coordinates as JSON arrays: Home Assistant's `Location` and `gps` attributes
([48.6910398, 7.4361589]) and KoBo's `_geolocation` were kept to the metre, their key
naming nothing personal. Each element goes to the 0.1-degree grid `lat` gets, still a
number in the same array; a layout's `position` [x, y] is no coordinate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE state_attributes (attributes_id serial PRIMARY KEY, shared_attrs text);
INSERT INTO state_attributes (shared_attrs) SELECT json_build_object('Location',
  json_build_array(48.6910398 + i * 0.0001731, 7.4361589 - i * 0.0002117),
  'gps', json_build_array(48.664182 + i * 0.000313, 7.415553 + i * 0.000271),
  'position', json_build_array(120.125 + i, 45.375), 'icon', 'mdi:map')::text
  FROM generate_series(1, 80) i;
CREATE TABLE logger_instance (id serial PRIMARY KEY, json jsonb NOT NULL);
INSERT INTO logger_instance (json) SELECT jsonb_build_object('_geolocation',
  jsonb_build_array(-25.897701 + i * 0.000731, 32.69571 + i * 0.000517), 'start', '2024-05-01')
  FROM generate_series(1, 60) i;
ANALYZE;
"""


def _on_grid(value: object) -> bool:
    return Decimal(str(value)) * 10 % 1 == 0


def test_coordinate_arrays_go_to_a_grid(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    attrs = rule_of(text, "public.state_attributes", "shared_attrs")["paths"]
    kobo = rule_of(text, "public.logger_instance", "json")["paths"]
    for paths, key in ((attrs, "Location"), (attrs, "gps"), (kobo, "_geolocation")):
        rules = [r for p, r in paths.items() if p == key or p.startswith(f"{key}.")]
        assert rules and all(r["strategy"] == "generalize" for r in rules), paths
    assert not any(p.startswith("position") for p in attrs), attrs
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT shared_attrs::jsonb -> 'Location', shared_attrs::jsonb -> 'gps',"
            " shared_attrs::jsonb -> 'position' FROM state_attributes"
        ).fetchall()
        answers = conn.execute("SELECT json -> '_geolocation' FROM logger_instance").fetchall()
    for location, gps, position in rows:
        assert len(location) == len(gps) == 2 and all(map(_on_grid, location + gps)), rows
        assert not _on_grid(position[0]), position  # kept
    assert all(len(a) == 2 and all(map(_on_grid, a)) for (a,) in answers), answers


# a dashboard's widget `location` is a layout's fractions; a map's centre has a latitude
# of 2 decimals beside a longitude of 3: the array is judged whole, both masked or none
LAYOUTS = """
CREATE TABLE dashboards (id serial PRIMARY KEY, title text, layout jsonb);
INSERT INTO dashboards (title, layout) SELECT 'Dash ' || i, jsonb_build_object('widgets',
  jsonb_build_array(jsonb_build_object('id', 0, 'type', 'chart', 'location',
  jsonb_build_array(round((i % 97) / 97.0, 3), round((i % 89) / 89.0, 3)), 'size',
  jsonb_build_array(0.25, 0.5)))) FROM generate_series(1, 60) i;
CREATE TABLE map_views (id serial PRIMARY KEY, settings jsonb);
INSERT INTO map_views (settings) SELECT jsonb_build_object('location', jsonb_build_array(
  round(52.0 + i * 0.07, 2), round(13.0 + i * 0.0131, 3)), 'zoom', 11,
  'bounds', jsonb_build_object('location', jsonb_build_array(12.125, 48.375, 13.25, 49.5)))
  FROM generate_series(1, 40) i;
ANALYZE;
"""


def test_pairs_are_judged_whole_and_layouts_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, LAYOUTS)
    assert strategy_of(text, "public.dashboards", "layout") == "keep", text
    paths = rule_of(text, "public.map_views", "settings")["paths"]
    located = {p: r["strategy"] for p, r in paths.items() if p.startswith("location")}
    assert located in (
        {"location": "generalize"},
        dict.fromkeys(("location.0", "location.1"), "generalize"),
    ), paths
    assert not any(p.startswith("bounds") for p in paths), paths  # four numbers: no pair
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT settings -> 'location' FROM map_views").fetchall()
        layouts = conn.execute(
            "SELECT count(*) FROM dashboards WHERE layout #>> '{widgets,0,location,0}'"
            " = round((id % 97) / 97.0, 3)::text"
        ).fetchone()
    assert all(len(loc) == 2 and all(map(_on_grid, loc)) for (loc,) in rows), rows
    assert layouts == (60,)
