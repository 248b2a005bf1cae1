"""date_shift with `text: true`: ISO dates kept as text (Keycloak's user_attribute
'birthdate') are shifted and stay ISO dates; what is no date becomes hex, never kept
and never a failed run."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import psycopg

from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE attrs (id int PRIMARY KEY, value varchar(255));
INSERT INTO attrs SELECT i, (date '1940-01-01' + i * 53)::text FROM generate_series(1, 300) i;
INSERT INTO attrs VALUES (301, '1987-02-30'), (302, '0000-00-00'), (303, '14.03.1987'),
  (304, '9999-12-31'), (305, ''), (306, NULL), (307, '0001-01-01');
"""
RULES = """version: 1
tables:
  public.attrs:
    columns:
      id: keep
      value: {strategy: date_shift, max_days: 365, text: true, keep: ['9999-12-31']}
"""


def test_iso_dates_in_text_are_shifted_and_the_rest_hidden(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "dates.yaml")
    with psycopg.connect(dsn) as conn:
        before = dict(conn.execute("SELECT id, value FROM attrs").fetchall())
    report = mask_and_verify(dsn, rules)
    assert report.findings == [], [f.render() for f in report.findings]
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, value FROM attrs").fetchall())
    for i in range(1, 301):
        moved = (date.fromisoformat(after[i]) - date.fromisoformat(before[i])).days
        assert 1 <= abs(moved) <= 365, (before[i], after[i])
    assert after[307] != "0001-01-01" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", after[307])
    for i in (301, 302, 303):  # no date: hidden, as hash would
        assert re.fullmatch(r"[0-9a-f]{16}", after[i]), after[i]
    assert (after[304], after[305], after[306]) == ("9999-12-31", "", None)
