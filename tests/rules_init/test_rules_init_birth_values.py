"""Birth dates under names that say nothing (Baserow, NocoDB, LimeSurvey tables) are
judged by their values; event dates of a long-lived business are not taken for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tests.rules_init.helpers import comment_of, generate_and_compile, rule_of, strategy_of

# dates of birth 1940..2005 in no order; events follow the rows' order or each other
SCHEMA = """
SELECT setseed(0.25);
CREATE TABLE database_table_123 (id serial PRIMARY KEY, field_1008 date, field_1009 text);
INSERT INTO database_table_123 (field_1008, field_1009)
SELECT date '1940-01-01' + (random() * 23700)::int,
       to_char(date '1940-01-01' + (random() * 23700)::int, 'YYYY-MM-DD')
FROM generate_series(1, 300);
CREATE TABLE "nc_p1x2___Contacts" (
  id serial PRIMARY KEY, c_o5p6 date,
  created_at timestamptz);
INSERT INTO "nc_p1x2___Contacts" (c_o5p6, created_at)
SELECT date '1950-06-01' + (random() * 20000)::int,
       now() - interval '300 days' + g * interval '1 day' + random() * interval '20 hours'
FROM generate_series(1, 300) g;
CREATE TABLE lime_survey_123456 (
  id serial PRIMARY KEY, "123456X12X36" timestamp, submitdate timestamp);
INSERT INTO lime_survey_123456 ("123456X12X36", submitdate)
SELECT timestamp '1945-03-01' + (random() * 22000)::int * interval '1 day',
       timestamp '2024-01-01' + g * interval '37 minutes'
FROM generate_series(1, 300) g;
-- orders since 1990, inserted as they came, under a serial and under a uuid key
CREATE TABLE database_table_200 (id serial PRIMARY KEY, field_2001 date);
INSERT INTO database_table_200 (field_2001)
SELECT date '1990-01-01' + g * 30 + (random() * 20)::int FROM generate_series(1, 400) g;
CREATE TABLE legacy_orders (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), dt date);
INSERT INTO legacy_orders (dt)
SELECT date '1990-01-01' + g * 30 + (random() * 20)::int FROM generate_series(1, 400) g;
-- contracts in no order: valid from any day of 40 years, to a later day or open
CREATE TABLE database_table_300 (id serial PRIMARY KEY, field_3001 date, field_3002 date,
  field_3003 date, field_3004 date);
INSERT INTO database_table_300 (field_3001, field_3002, field_3003, field_3004)
SELECT f, f + 30 + (random() * 900)::int,
       CASE WHEN random() < 0.3 THEN date '9999-12-31' ELSE f + (random() * 900)::int END,
       CASE WHEN random() < 0.1 THEN date '9999-12-31' ELSE f + (random() * 900)::int END
FROM (SELECT date '1970-01-01' + (random() * 14600)::int AS f
      FROM generate_series(1, 300)) s;
-- birth dates at midnight UTC, 1900-01-01 where unknown
CREATE TABLE database_table_500 (id serial PRIMARY KEY, field_5001 timestamptz);
INSERT INTO database_table_500 (field_5001)
SELECT CASE WHEN random() < 0.1 THEN timestamptz '1900-01-01 00:00+00'
  ELSE (date '1950-01-01' + (random() * 20000)::int)::timestamp AT TIME ZONE 'UTC' END
FROM generate_series(1, 300);
-- a billing day: the first of a month, over decades in no order
CREATE TABLE database_table_400 (id serial PRIMARY KEY, field_4001 date);
INSERT INTO database_table_400 (field_4001)
SELECT date_trunc('month', date '1950-01-01' + (random() * 20000)::int)::date
FROM generate_series(1, 300);
"""


def _generated(make_db: Any, tmp_path: Path) -> str:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    return text


def test_birth_dates_under_opaque_names_are_shifted_and_events_kept(
    make_db: Any, tmp_path: Path
) -> None:
    text = _generated(make_db, tmp_path)
    for table, column in [
        ("public.database_table_123", "field_1008"),
        ("public.nc_p1x2___Contacts", "c_o5p6"),
        ("public.lime_survey_123456", "123456X12X36"),
        ("public.database_table_500", "field_5001"),
    ]:
        assert strategy_of(text, table, column) == "date_shift", (table, column)
        assert "judged by its values" in comment_of(text, table, column)
    # ISO dates in text: shifted as text, as a text column named birth_date is
    assert rule_of(text, "public.database_table_123", "field_1009") == {
        "strategy": "date_shift",
        "max_days": 365,
        "text": True,
    }
    for table, column in [
        ("public.nc_p1x2___Contacts", "created_at"),
        ("public.lime_survey_123456", "submitdate"),
        ("public.database_table_200", "field_2001"),
        ("public.legacy_orders", "dt"),
        ("public.database_table_300", "field_3001"),
        ("public.database_table_300", "field_3002"),
        ("public.database_table_300", "field_3003"),
        ("public.database_table_300", "field_3004"),
        ("public.database_table_400", "field_4001"),
    ]:
        assert strategy_of(text, table, column) == "keep", (table, column)
