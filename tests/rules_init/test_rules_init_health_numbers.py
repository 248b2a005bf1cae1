"""Health records' own numbers and death dates: OpenEMR's insurance_data.policy_number
(the member id on an insurance card), patient_data.pubpid (the external chart number)
and deceased_date, and OpenMRS's person.death_date were kept by name. The numbers get
`digits` (unique where unique), a death date `date_shift` as a birth date does."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE patient_data (id int PRIMARY KEY, pid bigint UNIQUE, pubpid varchar(255) UNIQUE,
  fname varchar(255), DOB date, deceased_date timestamp);
INSERT INTO patient_data SELECT i, i, 'CH' || lpad((i * 7919)::text, 7, '0'),
  (ARRAY['John', 'Maria', 'Kevin'])[1 + i % 3], date '1950-01-01' + i * 53,
  CASE WHEN i % 4 = 0 THEN timestamp '2019-05-01 10:00' + i * interval '3 days' END
  FROM generate_series(1, 200) i;
CREATE TABLE insurance_data (id int PRIMARY KEY, pid bigint, policy_number varchar(255),
  group_number varchar(255), policy_type varchar(25));
INSERT INTO insurance_data SELECT i, i,
  chr(65 + i % 26) || 'OM' || lpad((i * 104729)::text, 9, '0'), 'GRP-' || (i % 7),
  (ARRAY['', '12', '13'])[1 + i % 3] FROM generate_series(1, 200) i;
CREATE TABLE person (person_id int PRIMARY KEY, birthdate date, dead boolean,
  death_date timestamp, death_date_estimated boolean);
INSERT INTO person SELECT i, date '1950-01-01' + i * 41, i % 5 = 0,
  CASE WHEN i % 5 = 0 THEN timestamp '2015-01-01' + i * interval '5 days' END, false
  FROM generate_series(1, 200) i;
"""


@pytest.mark.parametrize(
    ("table", "column", "kind"),
    [
        ("insurance_data", "policy_number", "personal_code"),
        ("insurance_data", "policyNo", "personal_code"),
        ("members", "member_number", "personal_code"),
        ("patient_data", "pubpid", "personal_code"),
        ("patients", "medical_record_number", "personal_code"),
        ("patients", "mrn", "personal_code"),
        ("person", "death_date", "birth_date"),
        ("patient_data", "deceased_date", "birth_date"),
        ("people", "date_of_death", "birth_date"),
    ],
)
def test_health_numbers_and_death_dates_by_name(table: str, column: str, kind: str) -> None:
    found = pii.match_name(column, f"public.{table}")
    assert found is not None and found.kind == kind, found


@pytest.mark.parametrize("column", ["policy_type", "policy_id", "cause_of_death", "deceased"])
def test_names_about_them_are_none(column: str) -> None:
    assert pii.match_name(column, "public.insurance_data") is None


def test_policy_and_chart_numbers_and_death_dates_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.insurance_data", "policy_number") == "digits", text
    assert rule_of(text, "public.patient_data", "pubpid") == {"strategy": "digits", "unique": True}
    for table, column in (("patient_data", "deceased_date"), ("person", "death_date")):
        assert strategy_of(text, f"public.{table}", column) == "date_shift", (column, text)
    assert strategy_of(text, "public.person", "death_date_estimated") == "keep"
    assert strategy_of(text, "public.insurance_data", "policy_type") == "keep"
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT (SELECT count(*) FROM insurance_data WHERE policy_number ="
            "  chr(65 + id % 26) || 'OM' || lpad((id * 104729)::text, 9, '0')),"
            " (SELECT count(*) FROM patient_data"
            "  WHERE pubpid = 'CH' || lpad((id * 7919)::text, 7, '0')),"
            " (SELECT count(DISTINCT pubpid) FROM patient_data),"
            " (SELECT count(*) FROM person WHERE death_date ="
            "  timestamp '2015-01-01' + person_id * interval '5 days')"
        ).fetchone()
    assert kept == (0, 0, 200, 0)
