"""`generalize` with a bucket on PostgreSQL's `point`: every strategy refused a point, so
a `location point` could only be kept or emptied. Each of x and y goes to the bucket's
grid toward zero, in numeric (48.8, not 48.800000000000004); NULL, NaN and infinities
stay, a domain over point and an array of points too; a GiST index is rebuilt and
answers `<@ box` as a scan does (no NaN in it: PostgreSQL's own GiST misses rows beside
a NaN point, masked or not). `noise` and `coordinates` refuse a point naming generalize, and the
compiler refuses a grid under an exclusion constraint."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import db_with_rules, refused_findings

SCHEMA = """
CREATE DOMAIN home_point AS point CHECK (VALUE IS NULL OR NOT (VALUE ~= point(0, 0)));
CREATE TABLE people (id int PRIMARY KEY, location point, home home_point,
  trail point[], canvas_position point);
INSERT INTO people VALUES
  (1, point(2.3522219, 48.856614), point(-0.127758, 51.507351),
      ARRAY[point(13.404954, 52.520008), NULL, point(-73.985664, 40.748441)], point(640, 480)),
  (2, NULL, NULL, NULL, NULL),
  (3, point(-179.99, -89.99), point 'NaN,Infinity', '{}', point(1.5, 2.25)),
  (4, point(-0.05, 0.09), point(151.209296, -33.86882), '[0:0]={"(1.23,4.56)"}', point(0, 0));
INSERT INTO people SELECT i, point(7.4361589 + i * 0.0001, 48.6910398 - i * 0.0001)
  FROM generate_series(5, 300) i;
CREATE INDEX people_location_gist ON people USING gist (location);
CREATE TABLE stations (id int PRIMARY KEY, geo point, EXCLUDE USING gist (geo WITH ~=));
INSERT INTO stations VALUES (1, point(8.682127, 50.110924)), (2, point(8.682999, 50.110999));
"""
RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      location: {strategy: generalize, bucket: 0.1}
      home: {strategy: generalize, bucket: 0.1}
      trail: {strategy: generalize, bucket: 0.1}
      canvas_position: {strategy: generalize, bucket: 10}
  public.stations:
    columns:
      id: keep
      geo: keep
"""


def test_points_go_to_the_grid(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "points.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT id, location::text, home::text, trail::text, canvas_position::text"
                " FROM people WHERE id <= 4"
            )
        }
        types = [
            r[0]
            for r in conn.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
                " 'people'::regclass AND attnum > 0 ORDER BY attnum"
            )
        ]
        box = "location <@ box '((7.0,48.0),(7.5,48.7))'"
        by_scan = conn.execute(f"SELECT count(*) FROM people WHERE {box}").fetchone()
        conn.execute("SET enable_seqscan = off")
        plan = " ".join(r[0] for r in conn.execute(f"EXPLAIN SELECT * FROM people WHERE {box}"))
        by_index = conn.execute(f"SELECT count(*) FROM people WHERE {box}").fetchone()
        off_grid = conn.execute(
            "SELECT count(*) FROM people"
            " WHERE location[0]::numeric * 10 % 1 <> 0 OR location[1]::numeric * 10 % 1 <> 0"
        ).fetchone()
    assert types == ["integer", "point", "home_point", "point[]", "point"]
    assert rows[1] == (
        "(2.3,48.8)",
        "(-0.1,51.5)",
        '{"(13.4,52.5)",NULL,"(-73.9,40.7)"}',
        "(640,480)",
    )
    assert rows[2] == (None, None, None, None)
    assert rows[3] == ("(-179.9,-89.9)", "(NaN,Infinity)", "{}", "(0,0)")
    assert rows[4] == ("(0,0)", "(151.2,-33.8)", '[0:0]={"(1.2,4.5)"}', "(0,0)")
    assert off_grid == (0,)
    assert "people_location_gist" in plan, plan
    assert by_index == by_scan and by_scan is not None and by_scan[0] > 200
    assert verify_report(dsn, [rules], seed="s").findings == []


def test_points_refused_with_a_reason(make_db, tmp_path: Path) -> None:
    wrong = (
        RULES.replace("{strategy: generalize, bucket: 0.1}", "{strategy: noise, absolute: 0.05}", 1)
        .replace("home: {strategy: generalize, bucket: 0.1}", "home: coordinates")
        .replace("trail: {strategy: generalize, bucket: 0.1}", "trail: keep")
        .replace("geo: keep", "geo: {strategy: generalize, bucket: 0.1}")
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, wrong, "points.yaml")
    found = {f.location.key: f for f in refused_findings(dsn, rules)}
    hint = "`{strategy: generalize, bucket: 0.1}`"
    assert hint in found["public.people.location"].message, found
    assert hint in found["public.people.home"].message, found
    assert found["public.stations.geo"].code == "lossy-on-exclusion", found
    assert set(found) == {"public.people.location", "public.people.home", "public.stations.geo"}
