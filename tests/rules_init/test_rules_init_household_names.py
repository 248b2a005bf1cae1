"""A household's names: Home Assistant's state_attributes.shared_attrs held
`friendly_name` 'Galina Schuchhardt' on its person.* entities in 437 of 1000 sampled
documents, kept as "too few to mask (6 different)": a household always names few people.
Full names of a known first name and surname filling a quarter of the values are masked
however few (people_lines.HOUSEHOLD); one designer on every row is still kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import people_lines

from .helpers import generate_then_mask, rule_of

PEOPLE = ["Galina Schuchhardt", "Matthew Hesse", "Nicole Junken"]
SCHEMA = f"""
CREATE TABLE state_attributes (attributes_id serial PRIMARY KEY, hash bigint,
  shared_attrs text);
INSERT INTO state_attributes (hash, shared_attrs)
  SELECT i, CASE i % 3
    WHEN 0 THEN json_build_object('editable', true, 'id', 'p' || i % 9, 'friendly_name',
      (ARRAY{PEOPLE})[i % 9 / 3 + 1])::text
    WHEN 1 THEN json_build_object('unit_of_measurement', '°C', 'device_class',
      'temperature', 'friendly_name', 'Room ' || i % 7 || ' Temperature')::text
    ELSE json_build_object('device_class', 'battery', 'friendly_name',
      'Sensor ' || i % 5 || ' Battery')::text END
  FROM generate_series(1, 600) i;
ANALYZE;
"""


def test_a_households_full_names_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.state_attributes", "shared_attrs")
    assert rule["paths"]["friendly_name"] == "full_name", text
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM state_attributes WHERE shared_attrs::jsonb->>'friendly_name'"
            " = ANY(%s)",
            (PEOPLE,),
        ).fetchone()
    assert left == (0,)


def test_one_name_or_brands_stay_kept() -> None:
    assert people_lines.judge(["Paul Smith"] * 200) == (None, [])
    assert people_lines.judge(["Rose", "Violet", "Olive"] * 50) == (None, [])
