"""`name` in a lookup table named for people: OpenMRS's patient_identifier_type.name
('OpenMRS ID', 'National ID') got `full_name` and every lookup by name broke. The
values decide over the table's name: things' labels are kept with a REVIEW note, and
people's names, even ones no list knows, stay masked."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_and_compile, strategy_of

SCHEMA = """
CREATE TABLE patient_identifier_type (
  patient_identifier_type_id int PRIMARY KEY, name varchar(50) NOT NULL, check_digit boolean);
INSERT INTO patient_identifier_type VALUES
  (1, 'OpenMRS ID', true), (2, 'Old Identification Number', false), (3, 'National ID', false);
CREATE TABLE person_attribute_type (
  person_attribute_type_id int PRIMARY KEY, name varchar(50) NOT NULL, format varchar(50));
INSERT INTO person_attribute_type VALUES (1, 'Telephone Number', 'java.lang.String'),
  (2, 'Mother''s Name', 'java.lang.String'), (3, 'Birthplace', 'java.lang.String'),
  (4, 'Health Center', 'org.openmrs.Location');
-- people's names no name list knows: no common word, so still a person's name
CREATE TABLE patient (patient_id int PRIMARY KEY, name varchar(50));
INSERT INTO patient VALUES (1, 'Chidi Okafor'), (2, 'Ngozi Adeyemi'), (3, 'Aarav Sharma'),
  (4, 'Yuki Tanaka');
-- a lookup table named for people alone (no `type`, `group`... after the people word)
CREATE TABLE person_relationship (id int PRIMARY KEY, name varchar(50));
INSERT INTO person_relationship VALUES (1, 'Telephone Number'), (2, 'Mother''s Name'),
  (3, 'Birthplace'), (4, 'Health Center');
-- one known name among labels keeps the name's rule
CREATE TABLE person_unit (person_unit_id int PRIMARY KEY, name varchar(50));
INSERT INTO person_unit VALUES (1, 'Health Center'), (2, 'National Team'),
  (3, 'Maria Lopez'), (4, 'Old Number');
ANALYZE;
"""


def test_labels_in_a_people_named_lookup_table_are_kept(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    # `..._type`: a thing named after people, kept by its table's name alone
    for table in ("public.patient_identifier_type", "public.person_attribute_type"):
        assert strategy_of(text, table, "name") == "keep", text
    note = comment_of(text, "public.person_relationship", "name")
    assert strategy_of(text, "public.person_relationship", "name") == "keep", text
    assert "REVIEW" in note and "common words" in note, note
    assert strategy_of(text, "public.patient", "name") == "full_name", text
    assert strategy_of(text, "public.person_unit", "name") == "full_name", text


def test_logins_under_name_are_no_labels(make_db, tmp_path: Path) -> None:
    """'kitten42' holds a common word but is a login: the people table's hint stands."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE users (id int PRIMARY KEY, name text);"
            "INSERT INTO users SELECT i, (ARRAY['kitten', 'river', 'window', 'garden'])"
            "[1 + i % 4] || i FROM generate_series(1, 200) i; ANALYZE;"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.users", "name") != "keep"
