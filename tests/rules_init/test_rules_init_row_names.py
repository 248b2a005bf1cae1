"""A column composing its row's masked name parts: Zitadel's
`projections.users13_humans.display_name` was `first_name || ' ' || last_name` in all
rows and got `full_name` by its name, so after masking it matched its parts in none;
Chatwoot's `users.display_name` is the first word of `name`. Now a template builds the
composed column from the parts' masked values (or the full name from the first name's),
and they still agree; a column that composes nothing keeps its proposal."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

FIRSTS = "ARRAY['Anna','Paul','Marie','Jonas','Lea','Tom','Sophie','Lukas']"
LASTS = "ARRAY['Schmidt','Martin','Silva','Miller','Tanaka','Novak','Kowalski']"
SCHEMA = f"""
CREATE TABLE humans (id serial PRIMARY KEY, first_name text, last_name text,
  display_name text, nick_name text);
INSERT INTO humans (first_name, last_name, display_name, nick_name)
  SELECT f, l, f || ' ' || l, 'player' || g
  FROM (SELECT g, ({FIRSTS})[1 + g % 8] f, ({LASTS})[1 + g % 7] l
        FROM generate_series(1, 300) g) s;
CREATE TABLE contacts (id serial PRIMARY KEY, firstname varchar(80), lastname varchar(80),
  sort_name varchar(200));
INSERT INTO contacts (firstname, lastname, sort_name)
  SELECT f, l, l || ', ' || f
  FROM (SELECT ({FIRSTS})[1 + g % 8] f, ({LASTS})[1 + g % 7] l
        FROM generate_series(1, 200) g) s;
CREATE TABLE users (id serial PRIMARY KEY, name varchar, display_name varchar);
INSERT INTO users (name, display_name)
  SELECT f || ' ' || l, f
  FROM (SELECT ({FIRSTS})[1 + g % 8] f, ({LASTS})[1 + g % 7] l
        FROM generate_series(1, 60) g) s;
ANALYZE;
"""


def test_a_column_composing_its_rows_name_parts_stays_composed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.humans", "display_name") == {
        "strategy": "template",
        "template": "{first_name:first_name} {last_name:last_name}",
    }, text
    assert rule_of(text, "public.contacts", "sort_name")["template"] == (
        "{last_name:lastname}, {first_name:firstname}"
    ), text
    assert strategy_of(text, "public.users", "display_name") == "first_name", text
    assert rule_of(text, "public.users", "name")["template"] == (
        "{first_name:display_name} {last_name:name}"
    ), text
    # composing nothing, it keeps its own proposal (a nick name 'player7': a login)
    assert strategy_of(text, "public.humans", "nick_name") == "hash", text
    with psycopg.connect(dsn) as conn:
        agree = conn.execute(
            """SELECT (SELECT count(*) FROM humans
                       WHERE display_name = first_name || ' ' || last_name
                         AND first_name NOT IN ('Anna','Paul','Marie','Jonas','Lea','Tom',
                                                'Sophie','Lukas')),
                      (SELECT count(*) FROM contacts
                       WHERE sort_name = lastname || ', ' || firstname),
                      (SELECT count(*) FROM users
                       WHERE display_name = split_part(name, ' ', 1)
                         AND name NOT LIKE '% Schmidt')"""
        ).fetchone()
    assert agree is not None
    assert agree[1] == 200 and agree[0] > 250 and agree[2] > 40, agree


# Moodle's mdl_user.theme is '' in most rows, as its alternatename is (here a part by its
# name, `first_name`), and 'boost' elsewhere: '' = '' is no composed name
BLANKS = """
CREATE TABLE profiles (id bigserial PRIMARY KEY, first_name varchar(255) NOT NULL,
  last_name varchar(255) NOT NULL, theme varchar(50) NOT NULL);
INSERT INTO profiles (first_name, last_name, theme)
  SELECT CASE WHEN g % 7 = 0 THEN 'Maria' ELSE '' END, 'Silva',
         CASE WHEN g % 7 = 0 THEN 'boost' ELSE '' END
  FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_blank_values_compose_no_name(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, BLANKS)
    assert strategy_of(text, "public.profiles", "first_name") == "first_name", text
    assert strategy_of(text, "public.profiles", "theme") == "keep", text
    with psycopg.connect(dsn) as conn:
        themes = conn.execute("SELECT DISTINCT theme FROM profiles ORDER BY 1").fetchall()
    assert themes == [("",), ("boost",)], themes
