"""DHIS2's trackedentityattribute.uniquefield = true (a National ID) is enforced by the
application, not by a key on trackedentityattributevalue: its case got `digits` without
`unique: true`, and 4000 distinct IDs became 3987, which DHIS2 then refused to save.
A case whose attribute is flagged unique is made injective now; others are unchanged."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE trackedentityattribute (trackedentityattributeid bigint PRIMARY KEY,
  code varchar(50) UNIQUE, name varchar(230) UNIQUE NOT NULL, valuetype varchar(36) NOT NULL,
  uniquefield boolean);
INSERT INTO trackedentityattribute VALUES (1, 'MMD_PER_NAM', 'First name', 'TEXT', false),
  (4, 'MMD_PER_ID', 'National ID', 'TEXT', true), (5, 'MMD_PER_TAX', 'Tax number', 'TEXT', false);
CREATE TABLE trackedentityattributevalue (trackedentityid bigint NOT NULL,
  trackedentityattributeid bigint NOT NULL REFERENCES trackedentityattribute,
  value varchar(1200), PRIMARY KEY (trackedentityid, trackedentityattributeid));
INSERT INTO trackedentityattributevalue SELECT t, 1,
  (ARRAY['James', 'Mary', 'John', 'Patricia', 'Robert', 'Linda'])[1 + t % 6]
  FROM generate_series(1, 3000) t;
INSERT INTO trackedentityattributevalue SELECT t, 4, lpad(((t * 7919) % 999983)::text, 6, '0')
  FROM generate_series(1, 3000) t;
"""


def test_flagged_unique_attribute_stays_unique(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    cases = rule_of(text, "public.trackedentityattributevalue", "value")["cases"]
    assert cases["4"] == {"strategy": "digits", "unique": True}, text
    assert cases["1"] == "first_name", text  # not flagged: as before
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(DISTINCT value) FILTER (WHERE trackedentityattributeid = 4),
                      count(*) FILTER (WHERE trackedentityattributeid = 4
                        AND value = lpad(((trackedentityid * 7919) % 999983)::text, 6, '0'))
               FROM trackedentityattributevalue"""
        ).fetchone()
    assert row[0] == 3000
    assert row[1] < 30  # masked (digits may map a few onto themselves)
