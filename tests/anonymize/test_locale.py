"""A rules file's `defaults: {locale: de_DE}` reaches the masked rows: German names,
streets and five-digit postcodes for a German shop, not a mix of eight countries."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import build_plan
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE kunden (id int PRIMARY KEY, vorname text, strasse text, plz varchar(10));
INSERT INTO kunden SELECT i, 'Anna', 'Hauptstraße ' || i, lpad(i::text, 5, '0')
  FROM generate_series(1, 500) i;
"""
RULES = """version: 1
defaults: {locale: de_DE}
tables:
  public.kunden:
    columns:
      id: keep
      vorname: first_name
      strasse: street
      plz: postcode
"""


def test_a_german_shop_gets_german_fake_values(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "kunden.yaml")
    assert "dbrefresh.dict_first_name_de_de()" in build_plan(dsn, [rules]).to_sql()
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE vorname = ANY(dbrefresh.dict_first_name_de_de())),"
            " count(*) FILTER (WHERE strasse = ANY(dbrefresh.dict_street_de_de())),"
            " count(*) FILTER (WHERE plz ~ '^[0-9]{5}$'), count(DISTINCT strasse) FROM kunden"
        ).fetchone()
    assert row is not None
    assert row[:3] == (500, 500, 500)
    assert row[3] > 300
