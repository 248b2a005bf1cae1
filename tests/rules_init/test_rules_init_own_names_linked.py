"""Notes naming their own person when the names live elsewhere: OpenMRS keeps a
person's names in person_name(person_id -> person), and obs(person_id -> person)
.value_text 'John tolerating ART well' was kept silently; OpenEMR's form_encounter.pid
refers to patient_data's UNIQUE pid, not its key, and was not followed either."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, strategy_of

FIRST = "ARRAY['Aaron','Beatrice','Carlos','Diana','Edward','Fiona','George','Hannah','Ivan',\
'Julia','Kevin','Laura','Martin','Nadia','Oscar','Paula','Quentin','Rachel','Samuel','Tina']"
LAST = "ARRAY['Smith','Jones','Brown','Taylor','Wilson','Davies','Evans','Thomas','Johnson',\
'Roberts','Walker','Wright','Robinson','Thompson','White','Hughes','Edwards','Green']"
OPENMRS = f"""
CREATE TABLE person (person_id int PRIMARY KEY, gender varchar(50));
INSERT INTO person SELECT i, 'F' FROM generate_series(1, 200) i;
CREATE TABLE person_name (person_name_id int PRIMARY KEY,
  person_id int NOT NULL REFERENCES person, given_name varchar(50), family_name varchar(50));
CREATE INDEX ON person_name (person_id);
INSERT INTO person_name SELECT i, i, ({FIRST})[1 + i % 20], ({LAST})[1 + (i * 7) % 18]
  FROM generate_series(1, 200) i;
CREATE TABLE obs (obs_id int PRIMARY KEY, person_id int NOT NULL REFERENCES person,
  value_text text, concept_label text);
INSERT INTO obs SELECT i, p.person_id,
    CASE WHEN i % 3 = 0 THEN p.given_name || ' tolerating ART well, adherence good.'
      ELSE 'Stable, continue regimen.' END, 'Entered by clinic ' || (i % 4)
  FROM generate_series(1, 600) i JOIN person_name p ON p.person_id = 1 + (i * 13) % 200;
CREATE TABLE patient_data (id bigserial PRIMARY KEY, fname varchar(255), lname varchar(255),
  pid bigint NOT NULL UNIQUE);
INSERT INTO patient_data (fname, lname, pid)
  SELECT ({FIRST})[1 + i % 20], ({LAST})[1 + (i * 5) % 18], 1000 + i FROM generate_series(1, 200) i;
CREATE TABLE form_encounter (id bigserial PRIMARY KEY,
  pid bigint REFERENCES patient_data (pid), reason text);
INSERT INTO form_encounter (pid, reason)
  SELECT d.pid, CASE WHEN i % 2 = 0 THEN d.fname || ' complains of back pain' ELSE 'Follow-up' END
  FROM generate_series(1, 400) i JOIN patient_data d ON d.pid = 1000 + 1 + (i * 7) % 200;
ANALYZE;
"""


def test_notes_naming_their_person_through_a_names_table(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, OPENMRS)
    assert strategy_of(text, "public.obs", "value_text") == "lorem", text
    why = comment_of(text, "public.obs", "value_text")
    assert "name their own person (through person_id)" in why, why
    assert "public.person_name.given_name" in why, why
    assert strategy_of(text, "public.obs", "concept_label") == "keep"
    assert strategy_of(text, "public.form_encounter", "reason") == "lorem", text
    assert "(through pid)" in comment_of(text, "public.form_encounter", "reason")
    with psycopg.connect(dsn) as conn:
        named = conn.execute(
            "SELECT (SELECT count(*) FROM obs WHERE value_text LIKE '%tolerating%'),"
            " (SELECT count(*) FROM form_encounter WHERE reason LIKE '%complains%')"
        ).fetchone()
    assert named == (0, 0)
