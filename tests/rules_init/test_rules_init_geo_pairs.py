"""Coordinates as JSON arrays: Home Assistant's `Location` and `gps` attributes
([48.6910398, 7.4361589]) and KoBo's `_geolocation` were kept to the metre, their key
naming nothing personal. Each element goes to the 0.1-degree grid `lat` gets, still a
number in the same array; a layout's `position` [x, y] is no coordinate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

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
