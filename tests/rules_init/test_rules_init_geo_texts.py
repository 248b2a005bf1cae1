"""Coordinates inside text: Traccar's tc_geofences.area (WKT 'CIRCLE (49.766829
7.706793, 150.0)', POLYGON, LINESTRING) and KoBo's GPS answers ('-25.897701 32.69571
12.0 4.0', in a submission's JSON) read as phone numbers and became lorem: no geofence
or GPS answer parsed any more. `coordinates` cuts every number to one decimal in place,
the text still a geometry; other columns and keys are judged as before."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE tc_geofences (id serial PRIMARY KEY, name varchar(128) NOT NULL,
  area varchar(4096) NOT NULL);
INSERT INTO tc_geofences (name, area) SELECT 'zone ' || i, CASE i % 3
  WHEN 0 THEN format('CIRCLE (%s %s, 150.0)', 47 + i * 0.013171, 7 + i * 0.021733)
  WHEN 1 THEN format('POLYGON ((%s %s, %s %s, %s %s, %s %s))', 48.123456 + i * 0.001,
    7.654321, 48.125511, 7.659911 + i * 0.001, 48.129876, 7.650123, 48.123456 + i * 0.001,
    7.654321)
  ELSE format('LINESTRING (%s %s, %s %s)', 52.520008 + i * 0.0001, 13.404954, 52.521111,
    13.405555 + i * 0.0001) END FROM generate_series(1, 40) i;
CREATE TABLE logger_instance (id serial PRIMARY KEY, json jsonb NOT NULL);
INSERT INTO logger_instance (json) SELECT jsonb_build_object('gps',
  format('%s %s 12.0 4.0', -25.897701 + i * 0.000731, 32.69571 + i * 0.000517),
  'start', '2024-05-01', 'phone', '+258 84 ' || (1000000 + i * 7919)) FROM generate_series(1, 60) i;
ANALYZE;
"""
_NUMBER = re.compile(r"-?[0-9]+\.[0-9]+")


def test_coordinates_in_text_are_cut_in_place(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        areas = dict(conn.execute("SELECT id, area FROM tc_geofences"))
        gps = dict(conn.execute("SELECT id, json ->> 'gps' FROM logger_instance"))
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.tc_geofences", "area") == "coordinates", text
    paths = rule_of(text, "public.logger_instance", "json")["paths"]
    assert paths["gps"] == "coordinates" and paths["phone"] == "phone", paths
    with psycopg.connect(dsn) as conn:
        masked = dict(conn.execute("SELECT id, area FROM tc_geofences"))
        answers = dict(conn.execute("SELECT id, json ->> 'gps' FROM logger_instance"))
    for originals, after in ((areas, masked), (gps, answers)):
        for id_, value in after.items():
            before = originals[id_]
            # the same text around the numbers: still a geometry or a geopoint
            assert _NUMBER.sub("N", value) == _NUMBER.sub("N", before), (before, value)
            for cut, number in zip(_NUMBER.findall(value), _NUMBER.findall(before), strict=True):
                assert len(cut.partition(".")[2]) == 1 and number.startswith(cut), (cut, number)
    assert masked[3].startswith("CIRCLE (47.") and masked[3].endswith(", 150.0)"), masked[3]
