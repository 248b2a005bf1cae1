"""forms beside ids and bare domains: '@gmail.com' is no address, a kept number a number.

PostHog's feature flag filter holds addresses, '@gmail.com' (an `icontains` filter) and
a cohort's id 8 at one JSON path. The email case made '@gmail.com' a full address, and a
kept 8 came back as the string "8" (an array's 9 too): the filters matched nobody. A
handle '@ann' still counts as an address, and a changed number is written as before.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE filters (id int PRIMARY KEY, value text, doc jsonb);
INSERT INTO filters SELECT i,
  (ARRAY['@gmail.com', '@ann' || i, 'ann' || i || '@orig-mail.example.org', '8'])[1 + i % 4],
  jsonb_build_object('value', CASE WHEN i % 2 = 0 THEN to_jsonb(i)
                                   ELSE to_jsonb('bo' || i || '@orig-mail.example.org') END,
                     'ids', jsonb_build_array(i, 'cy' || i || '@orig-mail.example.org', 9),
                     'hashed', i)
  FROM generate_series(1, 40) i;
"""
RULES = """version: 1
tables:
  public.filters:
    columns:
      id: keep
      value: {strategy: forms, cases: {email: email}}
      doc:
        strategy: jsonb
        paths:
          value: {strategy: forms, cases: {email: email}}
          ids: {strategy: forms, cases: {email: email}}
          hashed: hash
"""


def test_domains_and_numbers_kept_as_they_were(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "forms.yaml")
    mask_and_verify(dsn, rules)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, value, doc FROM filters ORDER BY id").fetchall()
    for row_id, value, doc in rows:
        if row_id % 4 == 0:
            assert value == "@gmail.com"
        elif row_id % 4 == 3:
            assert value == "8"
        else:  # '@ann1' and an address: addresses now, the original gone
            assert "@" in value and value not in {f"@ann{row_id}"} and "orig-mail" not in value
        if row_id % 2 == 0:
            assert doc["value"] == row_id  # still a number
        else:
            assert "@" in doc["value"] and "orig-mail" not in doc["value"]
        first, address, nine = doc["ids"]
        assert (first, nine) == (row_id, 9)
        assert isinstance(address, str) and "orig-mail" not in address
        assert isinstance(doc["hashed"], str)  # a changed number: its mask's text
