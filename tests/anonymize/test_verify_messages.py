"""verify's summary and warnings on a health-record schema (OpenMRS-like)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.catalog import read_catalog
from tests.anonymize.helpers import run_cli

# OpenMRS's core tables, trimmed: person, person_name, patient (its id is the person's),
# encounter, obs; users referencing person by its UNIQUE uuid (not the primary key), a
# composite key, a partitioned table referenced, and a table in another schema.
OPENMRS = """
CREATE TABLE person (person_id serial PRIMARY KEY, gender varchar(50) DEFAULT '',
  birthdate date, dead boolean NOT NULL DEFAULT false, uuid char(38) NOT NULL UNIQUE);
CREATE TABLE person_name (person_name_id serial PRIMARY KEY, preferred boolean NOT NULL
  DEFAULT false, person_id int NOT NULL REFERENCES person, given_name varchar(50),
  middle_name varchar(50), family_name varchar(50), uuid char(38) NOT NULL UNIQUE);
CREATE TABLE patient (patient_id int PRIMARY KEY REFERENCES person (person_id),
  allergy_status varchar(50) NOT NULL DEFAULT 'Unknown');
CREATE TABLE users (user_id serial PRIMARY KEY, system_id varchar(50) NOT NULL,
  username varchar(50), person_uuid char(38) NOT NULL REFERENCES person (uuid),
  uuid char(38) NOT NULL UNIQUE);
CREATE TABLE location (location_id serial PRIMARY KEY, name varchar(255) NOT NULL);
CREATE TABLE encounter (encounter_id serial PRIMARY KEY, patient_id int NOT NULL
  REFERENCES patient, location_id int REFERENCES location, encounter_datetime timestamp
  NOT NULL, creator int NOT NULL REFERENCES users, UNIQUE (encounter_id, patient_id));
CREATE TABLE concept (concept_id int, version int, PRIMARY KEY (concept_id, version))
  PARTITION BY LIST (version);
CREATE TABLE concept_v1 PARTITION OF concept FOR VALUES IN (1);
CREATE TABLE obs (obs_id serial PRIMARY KEY, person_id int NOT NULL REFERENCES person,
  encounter_id int, patient_id int, concept_id int NOT NULL, concept_version int NOT NULL
  DEFAULT 1, value_text text, obs_datetime timestamp NOT NULL,
  FOREIGN KEY (encounter_id, patient_id) REFERENCES encounter (encounter_id, patient_id),
  FOREIGN KEY (concept_id, concept_version) REFERENCES concept);
CREATE SCHEMA audit;
CREATE TABLE audit.person_audit (id serial PRIMARY KEY, person_id int REFERENCES person,
  changed_at timestamp NOT NULL DEFAULT now());
INSERT INTO person (gender, birthdate, uuid) SELECT CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M'
  END, date '1950-01-01' + i * 97, md5(i::text) FROM generate_series(1, 40) i;
INSERT INTO person_name (person_id, preferred, given_name, middle_name, family_name, uuid)
  SELECT i, true, (ARRAY['Amara','Jonas','Wanjiru','Kofi','Esther'])[i % 5 + 1] || i,
  'M', (ARRAY['Okonkwo','Mwangi','Achieng','Banda'])[i % 4 + 1] || i, md5('n' || i)
  FROM generate_series(1, 40) i;
INSERT INTO patient (patient_id) SELECT i FROM generate_series(1, 30) i;
INSERT INTO users (system_id, username, person_uuid, uuid) SELECT 'admin' || i,
  'clerk' || i, md5(i::text), md5('u' || i) FROM generate_series(31, 35) i;
INSERT INTO location (name) VALUES ('Outpatient Clinic'), ('Ward 3');
INSERT INTO encounter (patient_id, location_id, encounter_datetime, creator)
  SELECT i % 30 + 1, i % 2 + 1, timestamp '2024-01-01' + i * interval '1 day', i % 5 + 1
  FROM generate_series(1, 60) i;
INSERT INTO concept VALUES (5089, 1), (1284, 1);
INSERT INTO obs (person_id, encounter_id, patient_id, concept_id, value_text, obs_datetime)
  SELECT e.patient_id, e.encounter_id, e.patient_id, 1284, 'Seen by ' || n.given_name,
  e.encounter_datetime FROM encounter e JOIN person_name n ON n.person_id = e.patient_id;
INSERT INTO audit.person_audit (person_id) SELECT i FROM generate_series(1, 40) i;
"""

RULES = """version: 1
defaults: {locale: en_US}
tables:
  public.person: {columns: {person_id: keep, gender: keep, birthdate: keep, dead: keep,
    uuid: keep}}
  public.person_name:
    columns:
      person_name_id: keep
      preferred: keep
      person_id: keep
      given_name: first_name
      middle_name: keep
      family_name: last_name
      uuid: keep
  public.patient: {columns: {patient_id: keep, allergy_status: keep}}
  public.users: {columns: {user_id: keep, system_id: keep, username: keep,
    person_uuid: keep, uuid: keep}}
  public.location: {columns: {location_id: keep, name: keep}}
  public.encounter: {columns: {encounter_id: keep, patient_id: keep, location_id: keep,
    encounter_datetime: keep, creator: keep}}
  public.concept: {columns: {concept_id: keep, version: keep}}
  public.obs: {columns: {obs_id: keep, person_id: keep, encounter_id: keep,
    patient_id: keep, concept_id: keep, concept_version: keep, value_text: lorem,
    obs_datetime: keep}}
  audit.person_audit: {columns: {id: keep, person_id: keep, changed_at: keep}}
"""


def _openmrs(make_db, tmp_path: Path) -> tuple[str, Path]:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(OPENMRS)
    rules = tmp_path / "openmrs.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    return dsn, rules


def test_summary_says_which_foreign_keys_were_rechecked(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Masking names and keeping ids breaks no key: none is re-scanned, and the summary
    says so rather than "0 foreign key(s) checked" (which read as keys not found)."""
    dsn, rules = _openmrs(make_db, tmp_path)
    with psycopg.connect(dsn) as conn:
        keys = read_catalog(conn).foreign_keys
    # every kind of key is found: to a UNIQUE non-key column, composite, to a
    # partitioned table, from another schema
    assert {fk.name for fk in keys} >= {
        "users_person_uuid_fkey",
        "obs_encounter_id_patient_id_fkey",
        "obs_concept_id_concept_version_fkey",
        "person_audit_person_id_fkey",
    }
    assert len(keys) == 10
    anonymize(dsn, [rules], seed="s", progress=False)
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 0, result.out + result.err
    out = " ".join(result.out.split())
    assert "0 of 10 foreign key(s) re-checked (the others join no masked column" in out


def test_unanonymized_tables_get_no_nothing_sampled_warning(make_db, tmp_path: Path) -> None:
    """A marked clone never anonymized fails "has not been anonymized" per table; its
    masked columns have no sample because nothing ran, not because of the rules."""
    dsn, rules = _openmrs(make_db, tmp_path)
    report = verify_report(dsn, [rules], seed="s")
    assert {f.code for f in report.findings} == {"not-masked"}
    assert "public.person_name" in {f.location.key for f in report.findings}
    assert report.warnings == []
