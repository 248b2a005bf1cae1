"""Coordinates kept as text: OpenMRS's person_address.latitude varchar(50) ('41.14676')
was kept with a REVIEW note, a patient's home to a metre. An `sql` rule rounds each to
one decimal, still a valid coordinate the application parses; other text stays."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE person_address (person_address_id int PRIMARY KEY, person_id int,
  latitude varchar(50), longitude varchar(50), lat_label varchar(50));
INSERT INTO person_address SELECT i, i, to_char(30 + i * 0.08123, 'FM990.00000'),
  to_char(-70 - i * 0.27311, 'FM9990.00000'), 'north' FROM generate_series(1, 200) i;
INSERT INTO person_address VALUES (901, 1, '', 'N/A', 'x'), (902, 2, ' ', NULL, 'y'),
  (903, 3, '12.5', 'unknown', 'z');
ANALYZE;
"""


def test_text_coordinates_are_rounded(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        before = dict(conn.execute("SELECT person_address_id, latitude FROM person_address"))
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for column in ("latitude", "longitude"):
        assert strategy_of(text, "public.person_address", column) == "sql", text
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT person_address_id, latitude FROM person_address"))
    for id_, value in rows.items():
        if id_ > 200:  # blank, no number, one decimal: kept, never cast (which would fail)
            assert value == before[id_], value
            continue
        assert value != before[id_]
        assert Decimal(value) == round(Decimal(before[id_]), 1)  # still a coordinate
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
