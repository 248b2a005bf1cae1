"""HAPI FHIR's search indexes and OpenEMR's globals: key/value tables whose key and value
columns share a prefix (sp_name, sp_value_exact; gl_name, gl_value). No key/value pair
name matched them: names, streets and birth dates were kept (too few of the column to
mask), while LOINC codes, genders and the clinic's settings became lorem for the sake
of a few phone numbers, an email or an OID read as a phone number."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import psycopg

from dbrefresh.rules.lookalikes import is_oid
from dbrefresh.rules.phones import is_phone
from dbrefresh.rules.pii_values import has_contact

from .helpers import comment_of, generate_then_mask, masked_cases, rule_of, strategy_of

FIRST = [
    "Cindy",
    "Amber",
    "Brenda",
    "Kristin",
    "Lauren",
    "Antonio",
    "Melissa",
    "Maria",
    "Peter",
    "Sarah",
    "Laura",
    "Emily",
    "Rachel",
    "Jessica",
    "Mark",
    "Monica",
]
LAST = [
    "Harmon",
    "Robinson",
    "Byrd",
    "Carlson",
    "Diaz",
    "Ford",
    "Sims",
    "Snyder",
    "Daugherty",
    "Meyer",
    "Walsh",
    "Novak",
    "Fischer",
    "Lopez",
    "Garcia",
    "Miller",
]
CITIES = ["Stephensshire", "West Lee", "Cameronport", "Megantown", "Cooperstad", "North Tiffany"]


def _patients(count: int) -> list[dict[str, str]]:
    return [
        {
            "family": LAST[(i * 7) % len(LAST)] + ("" if i < 70 else "-Ortiz"),
            "given": FIRST[i % len(FIRST)],
            "address": f"{1000 + i * 13} {LAST[i % len(LAST)]} Street",
            "address-city": CITIES[i % len(CITIES)],
            "address-postalcode": str(10000 + i * 379),
            "address-state": "OH",
        }
        for i in range(count)
    ]


def _spidx_string() -> tuple[str, dict[int, tuple[str, str]]]:
    """HAPI's hfj_spidx_string for 100 patients; the originals by sp_id."""
    rows: dict[int, tuple[str, str]] = {}
    for i, patient in enumerate(_patients(100)):
        params = [*patient.items(), ("name", patient["family"]), ("name", patient["given"])]
        params.append(("phonetic", f"{patient['given']} {patient['family']}"))
        for k, (name, value) in enumerate(params):
            rows[i * 10 + k] = (name, value)
    values = ",".join(
        f"({sp_id}, {1000 + sp_id // 10}, 'Patient', '{name}', false, '{value}', '{value.upper()}')"
        for sp_id, (name, value) in rows.items()
    )
    schema = f"""
    CREATE TABLE hfj_spidx_string (sp_id bigint PRIMARY KEY, res_id bigint NOT NULL,
      res_type varchar(100) NOT NULL, sp_name varchar(100) NOT NULL, sp_missing boolean NOT NULL,
      sp_value_exact varchar(200), sp_value_normalized varchar(200));
    INSERT INTO hfj_spidx_string VALUES {values};
    -- all distinct: digits with unique: true, which every digits rule then aligns on
    CREATE TABLE patient_data (id int PRIMARY KEY, pubpid varchar(20));
    INSERT INTO patient_data SELECT g, g::text FROM generate_series(1, 100) g;
    ANALYZE;
    """
    return schema, rows


def _fold(text: str) -> str:
    return "".join(
        base if (base := unicodedata.normalize("NFD", c)[0]).isascii() else c for c in text
    ).upper()


def test_hapi_string_index_switched_by_parameter(make_db, tmp_path: Path) -> None:
    schema, rows = _spidx_string()
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    exact = rule_of(text, "public.hfj_spidx_string", "sp_value_exact")
    assert exact["strategy"] == "switch" and exact["by"] == "sp_name", exact
    assert exact["cases"] == {
        "address": "street",
        "address-city": "city",
        "address-postalcode": {"strategy": "digits", "unique": True},  # as pubpid's
        "family": "last_name",
        "given": "first_name",
        "name": exact["cases"]["name"],
        "phonetic": "full_name",
    }
    # one name part a row, a given name or a family name: a name either way
    assert exact["cases"]["name"] in {"first_name", "full_name"}
    normalized = rule_of(text, "public.hfj_spidx_string", "sp_value_normalized")
    assert normalized["cases"]["family"] == {
        "strategy": "template",
        "template": "{last_name:sp_value_exact|fold}",
    }
    assert strategy_of(text, "public.hfj_spidx_string", "sp_name") == "keep"
    with psycopg.connect(dsn) as conn:
        masked = {
            sp_id: (name, value, norm)
            for sp_id, name, value, norm in conn.execute(
                "SELECT sp_id, sp_name, sp_value_exact, sp_value_normalized FROM hfj_spidx_string"
            )
        }
    assert len(masked) == len(rows)
    for sp_id, (name, original) in rows.items():
        _, value, norm = masked[sp_id]
        if name == "address-state":
            assert (value, norm) == (original, original.upper())  # not personal: kept
            continue
        assert value != original, (name, original)
        assert norm == _fold(value), (name, value, norm)  # searches find the masked value
    # a ZIP's two copies masked by one rule (aligned on unique: true), equal still
    assert exact["cases"]["address-postalcode"] == normalized["cases"]["address-postalcode"]
    zips = [masked[s][1] for s, (n, _) in rows.items() if n == "address-postalcode"]
    assert all(z.isdigit() and len(z) == 5 for z in zips)


TOKENS_AND_DATES = """
CREATE TABLE hfj_spidx_token (sp_id bigint PRIMARY KEY, res_id bigint NOT NULL,
  res_type varchar(100) NOT NULL, sp_name varchar(100) NOT NULL, sp_missing boolean NOT NULL,
  hash_sys_and_value bigint, sp_system varchar(200), sp_value varchar(200));
CREATE TABLE hfj_spidx_date (sp_id bigint PRIMARY KEY, res_id bigint NOT NULL,
  res_type varchar(100) NOT NULL, sp_name varchar(100) NOT NULL, sp_missing boolean NOT NULL,
  sp_value_low timestamp, sp_value_high timestamp, sp_value_low_date_ordinal int,
  sp_value_high_date_ordinal int);
INSERT INTO hfj_spidx_token
SELECT 10 * g + k, g, 'Patient', n, false, 0, s, v FROM generate_series(1, 100) g,
LATERAL (VALUES
  (1, 'identifier', 'urn:oid:1.2.36.146.595.217.0.1',
     'MRN' || lpad((g * 7919 % 10000000)::text, 7, '0')),
  (2, 'identifier', 'http://hl7.org/fhir/sid/us-ssn', lpad((100 + g)::text, 3, '0') || '-'
     || lpad((g * 37 % 100)::text, 2, '0') || '-' || lpad((g * 7907 % 10000)::text, 4, '0')),
  (3, 'identifier', 'urn:oid:2.16.840.1.113883.4.6', (1000000000 + g * 7919)::text),
  (4, 'telecom', 'phone',
     '(555) ' || lpad((100 + g)::text, 3, '0') || '-' || lpad((g * 13 % 10000)::text, 4, '0')),
  (5, 'telecom', 'email', 'patient' || g || '.smith@gmail.com'),
  (6, 'gender', 'http://hl7.org/fhir/administrative-gender', (ARRAY['male', 'female'])[1 + g % 2]),
  (7, 'code', 'http://loinc.org', (ARRAY['8867-4', '8480-6', '29463-7'])[1 + g % 3]),
  (8, 'active', NULL, 'true')) t(k, n, s, v);
INSERT INTO hfj_spidx_date SELECT g, g, 'Patient', n, false, d,
  d + interval '1 day' - interval '1 ms', to_char(d, 'YYYYMMDD')::int, to_char(d, 'YYYYMMDD')::int
FROM generate_series(1, 200) g,
LATERAL (SELECT CASE WHEN g <= 100 THEN 'birthdate' ELSE 'date' END AS n,
  date '1950-01-01' + (g * 271 % 25000) AS d) x;
ANALYZE;
"""


def test_hapi_token_and_date_indexes(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, TOKENS_AND_DATES)
    token = rule_of(text, "public.hfj_spidx_token", "sp_value")
    assert token["strategy"] == "switch" and token["by"] == "sp_name", token
    assert token["cases"]["identifier"] == "digits"
    assert token["cases"]["telecom"]["strategy"] == "forms"
    assert set(masked_cases(token)) == {"identifier", "telecom"}  # codes, genders kept
    assert strategy_of(text, "public.hfj_spidx_token", "sp_system") == "keep"  # OIDs
    low = rule_of(text, "public.hfj_spidx_date", "sp_value_low")
    assert low["cases"] == {
        "birthdate": {"strategy": "date_shift", "max_days": 365, "by": "sp_value_low"}
    }
    ordinal = rule_of(text, "public.hfj_spidx_date", "sp_value_high_date_ordinal")
    assert ordinal["cases"]["birthdate"]["ordinal"] is True
    with psycopg.connect(dsn) as conn:
        tokens = conn.execute(
            "SELECT sp_name, count(*) FILTER (WHERE sp_value = CASE sp_name"
            " WHEN 'gender' THEN (ARRAY['male', 'female'])[1 + res_id % 2]"
            " WHEN 'code' THEN (ARRAY['8867-4', '8480-6', '29463-7'])[1 + res_id % 3]"
            " WHEN 'active' THEN 'true'"
            " WHEN 'identifier' THEN CASE sp_id % 10 WHEN 1 THEN 'MRN'"
            "   || lpad((res_id * 7919 % 10000000)::text, 7, '0')"
            "   WHEN 3 THEN (1000000000 + res_id * 7919)::text ELSE sp_value || 'x' END"
            " WHEN 'telecom' THEN CASE sp_id % 10 WHEN 5 THEN 'patient' || res_id"
            "   || '.smith@gmail.com' ELSE '(555) ' || lpad((100 + res_id)::text, 3, '0') || '-'"
            "   || lpad((res_id * 13 % 10000)::text, 4, '0') END END),"
            " count(*) FILTER (WHERE sp_system LIKE 'urn:oid:%' OR sp_system LIKE 'http%'"
            "   OR sp_system IN ('phone', 'email')), count(*)"
            " FROM hfj_spidx_token GROUP BY 1 ORDER BY 1"
        ).fetchall()
        shapes = conn.execute(
            "SELECT count(*) FILTER (WHERE sp_value ~ '^MRN[0-9]{7}$'),"
            " count(*) FILTER (WHERE sp_value ~ '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),"
            " count(*) FILTER (WHERE sp_value LIKE '%@%'),"
            " count(*) FILTER (WHERE sp_value ~ '^\\(\\d{3}\\) \\d{3}-\\d{4}$')"
            " FROM hfj_spidx_token WHERE sp_name IN ('identifier', 'telecom')"
        ).fetchone()
        dates = conn.execute(
            "SELECT sp_name, count(*) FILTER (WHERE sp_value_low::date"
            "   = date '1950-01-01' + (sp_id * 271 % 25000)::int),"
            " count(*) FILTER (WHERE sp_value_high - sp_value_low"
            "   = interval '1 day' - interval '1 ms'"
            "   AND to_char(sp_value_low, 'YYYYMMDD')::int = sp_value_low_date_ordinal"
            "   AND sp_value_high_date_ordinal = sp_value_low_date_ordinal"
            "   AND abs(sp_value_low::date - (date '1950-01-01' + (sp_id * 271 % 25000)::int))"
            "   <= 365),"
            " count(*) FROM hfj_spidx_date GROUP BY 1 ORDER BY 1"
        ).fetchall()
    # codes, genders, flags kept; every identifier and contact point masked; systems kept
    assert tokens == [
        ("active", 100, 0, 100),
        ("code", 100, 100, 100),
        ("gender", 100, 100, 100),
        ("identifier", 0, 300, 300),
        ("telecom", 0, 200, 200),
    ]
    assert shapes == (100, 100, 100, 100)  # each identifier and contact keeps its form
    # birth dates moved, the range and its YYYYMMDD integers in step; other dates kept
    assert dates == [("birthdate", 0, 100, 100), ("date", 100, 100, 100)]


def test_oids_are_no_phone_numbers(make_db, tmp_path: Path) -> None:
    for oid in ("urn:oid:2.16.840.1.113883.4.1", "2.16.840.1.113883.6.1", "1.2.36.146.595.217.0.1"):
        assert is_oid(oid) and not is_phone(oid) and not has_contact(f"system {oid}")
    for phone in ("1.800.555.1234", "+33 6.12.34.56.78", "06.12.34.56.78"):
        assert is_phone(phone) and not is_oid(phone)
    _, text = generate_then_mask(
        make_db,
        tmp_path,
        """
        CREATE TABLE identifier_system (id int PRIMARY KEY, system varchar(200), label text);
        INSERT INTO identifier_system SELECT g, (ARRAY['urn:oid:1.2.36.146.595.217.0.1',
          'urn:oid:2.16.840.1.113883.4.1', 'urn:oid:2.16.840.1.113883.6.1',
          'urn:oid:2.16.840.1.113883.4.6', 'http://loinc.org'])[1 + g % 5], 'sys' || g
        FROM generate_series(1, 200) g;
        """,
    )
    assert strategy_of(text, "public.identifier_system", "system") == "keep"


GLOBALS = """
CREATE TABLE globals (gl_name varchar(63), gl_index int, gl_value text,
  PRIMARY KEY (gl_name, gl_index));
INSERT INTO globals VALUES ('language_default', 0, 'English (Standard)'),
 ('openemr_name', 0, 'OpenEMR'),
 ('patient_reminder_sender_email', 0, 'reminders@yourclinic.example'),
 ('practice_return_email_path', 0, '/var/spool/mail'), ('SMTP_HOST', 0, 'localhost'),
 ('SMTP_USER', 0, ''), ('date_display_format', 0, '0'),
 ('gbl_time_zone', 0, 'America/Los_Angeles'), ('time_display_format', 0, '1'),
 ('default_visit_category', 0, '5'), ('erx_enable', 0, '0'),
 ('portal_onsite_two_address', 0, 'https://portal.yourclinic.example/portal');
"""


def test_openemr_globals_switch_masks_only_the_address(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, GLOBALS)
    rule = rule_of(text, "public.globals", "gl_value")
    why = comment_of(text, "public.globals", "gl_value")
    assert rule["strategy"] == "switch" and rule["by"] == "gl_name", why
    assert masked_cases(rule) == {"patient_reminder_sender_email": "email"}, why
    # a setting the sample did not meet: the column's rule as a whole, not kept
    assert rule["default"] == "lorem", why
    with psycopg.connect(dsn) as conn:
        masked = dict(conn.execute("SELECT gl_name, gl_value FROM globals").fetchall())
    originals = {
        name: value.replace("''", "'")
        for name, value in re.findall(r"\('(\w+)', 0, '([^']*)'\)", GLOBALS)
    }
    assert len(originals) == len(masked) == 12
    changed = sorted(name for name, value in originals.items() if masked[name] != value)
    assert "@" in masked["patient_reminder_sender_email"]
    assert changed == ["patient_reminder_sender_email"]


def test_external_ids_all_distinct_get_unique_digits(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        """
        CREATE TABLE patient_data (id bigint PRIMARY KEY, pid bigint NOT NULL UNIQUE,
          pubpid varchar(255), fname varchar(255), lname varchar(255));
        INSERT INTO patient_data SELECT g, g, g::text, 'Pat', 'Ient' FROM generate_series(1, 100) g;
        """,
    )
    assert rule_of(text, "public.patient_data", "pubpid") == {"strategy": "digits", "unique": True}
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(DISTINCT pubpid), count(*) FILTER (WHERE pubpid = pid::text),"
            " count(*) FILTER (WHERE length(pubpid) = length(pid::text)) FROM patient_data"
        ).fetchone()
    assert row == (100, 0, 100)
