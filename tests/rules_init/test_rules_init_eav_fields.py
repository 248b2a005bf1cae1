"""Moodle's custom profile fields (mdl_user_info_data.data keyed by fieldid, defined in
mdl_user_info_field): the switch covered 'Date of birth' and 'Emergency contact' only;
'Student number' ('202300010') and 'LinkedIn profile' (the user's own name in the URL)
were kept, and so was any field the sample missed. Each field is judged by its name
and its shortname now, a field defined but not sampled by its names, and in a table
about people the kept fields are listed and the default masks. A key/value table of
courses keeps its silent default."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, phone_case, rule_of

SCHEMA = """
CREATE TABLE mdl_user (id bigserial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL);
INSERT INTO mdl_user (username) SELECT 'student' || i FROM generate_series(1, 300) i;
CREATE TABLE mdl_user_info_field (id bigserial PRIMARY KEY, shortname varchar(255) NOT NULL,
  name text NOT NULL, datatype varchar(255) NOT NULL);
INSERT INTO mdl_user_info_field VALUES (1, 'studentnumber', 'Student number', 'text'),
  (4, 'gender', 'Gender', 'menu'), (5, 'linkedin', 'LinkedIn profile', 'text'),
  (6, 'mobile', 'Mobile phone', 'text');
CREATE TABLE mdl_user_info_data (id bigserial PRIMARY KEY, userid bigint NOT NULL,
  fieldid bigint NOT NULL, data text NOT NULL, UNIQUE (userid, fieldid));
INSERT INTO mdl_user_info_data (userid, fieldid, data)
  SELECT g, 1, '2023' || lpad(g::text, 5, '0') FROM generate_series(1, 300) g
  UNION ALL SELECT g, 4, (ARRAY['Female', 'Male', 'Other'])[1 + g % 3]
  FROM generate_series(1, 300) g
  UNION ALL SELECT g, 5, 'https://www.linkedin.com/in/'
  || lower((ARRAY['anna', 'john', 'maria', 'pierre', 'luca', 'sophie'])[1 + g % 6] || '-'
  || (ARRAY['schmidt', 'smith', 'garcia', 'dubois', 'rossi', 'martin'])[1 + (g / 6) % 6])
  || '-' || (100 + g) FROM generate_series(1, 300) g;
CREATE TABLE mdl_course (id bigserial PRIMARY KEY, fullname text);
INSERT INTO mdl_course (fullname) SELECT 'Course ' || g FROM generate_series(1, 30) g;
CREATE TABLE mdl_course_field (id bigserial PRIMARY KEY, shortname varchar(255) NOT NULL,
  name text NOT NULL);
INSERT INTO mdl_course_field VALUES (1, 'contact', 'Contact person'), (2, 'level', 'Level');
CREATE TABLE mdl_course_data (id bigserial PRIMARY KEY, courseid bigint NOT NULL,
  fieldid bigint NOT NULL, value text NOT NULL);
INSERT INTO mdl_course_data (courseid, fieldid, value)
  SELECT g, 1, (ARRAY['Anna Schmidt', 'John Smith', 'Maria Garcia'])[1 + g % 3]
  FROM generate_series(1, 30) g
  UNION ALL SELECT g, 2, (ARRAY['Beginner', 'Advanced'])[1 + g % 2] FROM generate_series(1, 30) g;
ANALYZE;
"""


def test_every_profile_field_is_judged(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.mdl_user_info_data", "data")
    assert rule["strategy"] == "switch" and rule["by"] == "fieldid", rule
    # every sampled student number differs: an external id, kept distinct (distinct_codes.py)
    assert rule["cases"]["1"] == {"strategy": "digits", "unique": True}
    assert rule["cases"]["4"] == "keep"
    assert rule["cases"]["5"]["strategy"] == "template"
    assert phone_case(rule["cases"]["6"]) == "phone"  # defined, never sampled: judged by its name
    assert rule["default"] == "hash"
    assert "in a table about people: an account at linkedin" in comment_of(
        text, "public.mdl_user_info_data", "data"
    )
    # a table about courses: the fields not judged personal keep the silent default
    course = rule_of(text, "public.mdl_course_data", "value")
    assert course["cases"] == {"1": "full_name"} and "default" not in course, course
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FILTER (WHERE fieldid = 1 AND data = '2023' || lpad(userid::text,"
            " 5, '0')), count(*) FILTER (WHERE fieldid = 5 AND data ~ '(anna|john|maria|"
            "pierre|luca|sophie)-'), count(*) FILTER (WHERE fieldid = 5 AND data LIKE"
            " 'https://www.linkedin.com/in/%'), count(*) FILTER (WHERE fieldid = 4 AND data"
            " IN ('Female', 'Male', 'Other')) FROM mdl_user_info_data"
        ).fetchone()
    assert left == (0, 0, 300, 300)
