"""A key/value table keyed by field ids through no foreign key: Moodle's
mdl_user_info_data(userid, fieldid, data) beside mdl_user_info_field. Judged as one
column, `data` got lorem for every field (a checkbox's 0/1 became words, 'Female' a
word, a birth date in epoch seconds no number), and the field table's `name`
('Mobile phone') got full_name as a column of a table about people."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

MOODLE = """
CREATE TABLE mdl_user (id bigserial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL);
INSERT INTO mdl_user (username) SELECT 'student' || i FROM generate_series(1, 200) i;
CREATE TABLE mdl_user_info_field (id bigserial PRIMARY KEY, shortname varchar(255) NOT NULL,
  name text NOT NULL, datatype varchar(255) NOT NULL);
INSERT INTO mdl_user_info_field (shortname, name, datatype) VALUES
  ('mobilephone', 'Mobile phone', 'text'), ('dob', 'Date of birth', 'datetime'),
  ('consent', 'Marketing consent', 'checkbox'), ('gender', 'Gender', 'menu');
CREATE TABLE mdl_user_info_data (id bigserial PRIMARY KEY, userid bigint NOT NULL,
  fieldid bigint NOT NULL, data text NOT NULL, dataformat smallint NOT NULL DEFAULT 0);
INSERT INTO mdl_user_info_data (userid, fieldid, data)
  SELECT i, 1, '+44 7700 9' || lpad((i * 37 % 100000)::text, 5, '0') FROM generate_series(1, 200) i;
INSERT INTO mdl_user_info_data (userid, fieldid, data)
  SELECT i, 2, (315532800 + i * 86400 * 37)::text FROM generate_series(1, 200) i;
INSERT INTO mdl_user_info_data (userid, fieldid, data)
  SELECT i, 3, (i % 2)::text FROM generate_series(1, 200) i;
INSERT INTO mdl_user_info_data (userid, fieldid, data)
  SELECT i, 4, (ARRAY['Female', 'Male', 'Other'])[1 + i % 3] FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_moodle_profile_fields_switch_on_the_undeclared_field_id(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MOODLE)
    rule = rule_of(text, "public.mdl_user_info_data", "data")
    assert rule["strategy"] == "switch" and rule["by"] == "fieldid", rule
    assert rule["cases"] == {
        "1": {"strategy": "forms", "cases": {"phone": "phone"}, "default": "hash"},
        "2": {"strategy": "digits", "keep_prefix": 2},
        "3": "keep",
        "4": "keep",
    }
    assert rule["default"] == "hash"  # a field defined later: masked (eav_fields.py)
    # the field table names fields, not people
    assert strategy_of(text, "public.mdl_user_info_field", "name") == "keep"
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT fieldid, array_agg(DISTINCT data ORDER BY data) FROM mdl_user_info_data"
            " WHERE fieldid IN (3, 4) GROUP BY fieldid ORDER BY fieldid"
        ).fetchall()
        dates = conn.execute(
            "SELECT count(*) FILTER (WHERE data ~ '^[0-9]{9}$'"
            " AND data <> (315532800 + userid * 86400 * 37)::text"
            " AND abs(data::bigint - (315532800 + userid * 86400 * 37)) < 10000000),"
            " count(*) FROM mdl_user_info_data WHERE fieldid = 2"
        ).fetchone()
        phones = conn.execute(
            "SELECT count(*) FROM mdl_user_info_data WHERE fieldid = 1"
            " AND data = '+44 7700 9' || lpad((userid * 37 % 100000)::text, 5, '0')"
        ).fetchone()
        names = conn.execute("SELECT name FROM mdl_user_info_field ORDER BY id").fetchall()
    assert kept == [(3, ["0", "1"]), (4, ["Female", "Male", "Other"])]
    assert dates == (200, 200)  # still epoch seconds, within a few years, none kept
    assert phones == (0,)
    assert [n for (n,) in names] == ["Mobile phone", "Date of birth", "Marketing consent", "Gender"]
