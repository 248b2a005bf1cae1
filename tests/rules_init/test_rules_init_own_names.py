"""Free text naming the row's own person: Moodle's grade feedback ('Well done Aaron!')
names the student of the row's `userid`, whose first name is masked; a first name alone
was no mention, so the feedback was kept with every student's name in it. With or
without a foreign key (real Moodle declares none), the column is masked."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['Aaron','Beatrice','Carlos','Diana','Edward','Fiona','George','Hannah','Ivan',\
'Julia','Kevin','Laura','Martin','Nadia','Oscar','Paula','Quentin','Rachel','Samuel','Tina']"
LAST = "ARRAY['Smith','Jones','Brown','Taylor','Wilson','Davies','Evans','Thomas','Johnson',\
'Roberts','Walker','Wright','Robinson','Thompson','White','Hughes','Edwards','Green']"
MOODLE = f"""
CREATE TABLE mdl_user (id bigserial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL,
  firstname varchar(100) NOT NULL, lastname varchar(100) NOT NULL);
INSERT INTO mdl_user (username, firstname, lastname)
  SELECT 'student' || i, ({FIRST})[1 + i % 20], ({LAST})[1 + (i * 7) % 18]
  FROM generate_series(1, 300) i;
CREATE TABLE mdl_grade_grades (id bigserial PRIMARY KEY, itemid bigint NOT NULL,
  userid bigint NOT NULL {{fk}}, feedback text, section text, summary text);
INSERT INTO mdl_grade_grades (itemid, userid, feedback, section, summary)
  SELECT 1 + i % 40, u.id,
    CASE i % 4 WHEN 0 THEN 'Well done ' || u.firstname || '! Great work.'
      WHEN 1 THEN u.firstname || ', please see me after class.'
      WHEN 2 THEN 'Solid answer, more detail needed in part 2.' ELSE '' END,
    'Graded by the marking team, section ' || (i % 7),
    CASE WHEN i % 100 = 0 THEN 'Reviewed with ' || u.firstname || '''s tutor' ELSE 'Reviewed' END
  FROM generate_series(1, 1500) i JOIN mdl_user u ON u.id = 1 + (i * 13) % 300;
ANALYZE;
"""


@pytest.mark.parametrize("fk", ["", "REFERENCES mdl_user"], ids=["by-name", "foreign-key"])
def test_feedback_naming_the_rows_own_student_is_masked(make_db, tmp_path: Path, fk: str) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MOODLE.format(fk=fk))
    assert strategy_of(text, "public.mdl_grade_grades", "feedback") == "lorem", text
    why = comment_of(text, "public.mdl_grade_grades", "feedback")
    assert "name their own person (through userid)" in why, why
    # text that names no one stays as it is
    assert strategy_of(text, "public.mdl_grade_grades", "section") == "keep"
    # a few rows naming their person: kept, with the counts
    assert strategy_of(text, "public.mdl_grade_grades", "summary") == "keep"
    why = comment_of(text, "public.mdl_grade_grades", "summary")
    assert why.startswith("REVIEW: ") and "sampled values name their own person" in why, why
    with psycopg.connect(dsn) as conn:
        named = conn.execute(
            f"SELECT count(*) FROM mdl_grade_grades WHERE feedback ~ ({FIRST})[1]"
            " OR feedback ~ 'Beatrice|Carlos|Diana|Edward|Fiona|George|Hannah'"
        ).fetchone()
        kept = conn.execute(
            "SELECT count(*) FROM mdl_grade_grades WHERE section LIKE 'Graded by%'"
        ).fetchone()
    assert named == (0,)
    assert kept == (1500,)


DJANGO = f"""
CREATE TABLE auth_user (id serial PRIMARY KEY, first_name varchar(150) NOT NULL,
  last_name varchar(150) NOT NULL);
INSERT INTO auth_user (first_name, last_name)
  SELECT ({FIRST})[1 + i % 20], ({LAST})[1 + (i * 7) % 18] FROM generate_series(1, 200) i;
CREATE TABLE blog_entry (id serial PRIMARY KEY, user_id int NOT NULL, signature text);
INSERT INTO blog_entry (user_id, signature)
  SELECT 1 + i % 200, 'Cheers, ' || u.first_name || ' ' || left(u.last_name, 1) || '.'
  FROM generate_series(1, 400) i JOIN auth_user u ON u.id = 1 + i % 200;
ANALYZE;
"""


def test_a_user_id_finds_the_one_table_of_users_behind_another_prefix(
    make_db, tmp_path: Path
) -> None:
    """blog_entry.user_id refers to auth_user (Django), through no foreign key here."""
    _, text = generate_then_mask(make_db, tmp_path, DJANGO)
    assert strategy_of(text, "public.blog_entry", "signature") == "lorem", text
    assert "(through user_id)" in comment_of(text, "public.blog_entry", "signature")


SUPABASE = f"""
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email varchar(255),
  raw_user_meta_data jsonb);
INSERT INTO auth.users SELECT md5('u' || i)::uuid, 'user' || i || '@mail.example',
  jsonb_build_object('full_name', ({FIRST})[1 + i % 20] || ' ' || ({LAST})[1 + (i * 7) % 18],
    'avatar_url', 'https://cdn.example/a/' || i || '.png')
  FROM generate_series(1, 300) i;
CREATE TABLE auth.mfa_factors (id uuid PRIMARY KEY, user_id uuid NOT NULL
  REFERENCES auth.users, friendly_name text, factor_type text NOT NULL);
INSERT INTO auth.mfa_factors SELECT md5('f' || u.id::text)::uuid, u.id,
  split_part(u.raw_user_meta_data->>'full_name', ' ', 1) || '''s iPhone', 'totp'
  FROM auth.users u;
CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL);
INSERT INTO identities SELECT md5('i' || i)::uuid, jsonb_build_object('email',
  'user' || i || '@mail.example', 'name', jsonb_build_object(
  'first', ({FIRST})[1 + i % 20], 'last', ({LAST})[1 + (i * 7) % 18]))
  FROM generate_series(1, 300) i;
CREATE TABLE identity_credentials (id uuid PRIMARY KEY, identity_id uuid NOT NULL
  REFERENCES identities, label text);
INSERT INTO identity_credentials SELECT md5('c' || id::text)::uuid, id,
  'Passkey of ' || (traits->'name'->>'first') FROM identities;
ANALYZE;
"""


def test_names_at_a_json_path_are_the_rows_own_person(make_db, tmp_path: Path) -> None:
    """Supabase keeps a user's name in raw_user_meta_data->>'full_name', Kratos in
    traits->'name'->>'first': the MFA factor's friendly_name ('Aaron's iPhone') and a
    credential's label naming their own user were kept."""
    dsn, text = generate_then_mask(make_db, tmp_path, SUPABASE)
    # a device named after its owner: the name hashed, "'s iPhone" kept (device_names.py)
    assert rule_of(text, "auth.mfa_factors", "friendly_name") == {
        "strategy": "hash",
        "keep_from": "'",
    }, text
    assert strategy_of(text, "public.identity_credentials", "label") == "lorem", text
    assert strategy_of(text, "auth.mfa_factors", "factor_type") == "keep"
    with psycopg.connect(dsn) as conn:
        named = conn.execute(
            "SELECT count(*) FROM auth.mfa_factors WHERE friendly_name ~ 'Aaron|Beatrice|Carlos'"
        ).fetchone()
    assert named == (0,)


GHOST = """
CREATE TABLE users (id varchar(24) PRIMARY KEY, name varchar(191) NOT NULL,
  slug varchar(191) NOT NULL UNIQUE, email varchar(191) NOT NULL UNIQUE);
INSERT INTO users SELECT md5(g::text)::varchar(24), f || ' ' || l,
  lower(f) || '-' || lower(replace(l, ' ', '-'))
    || CASE WHEN g > 8 THEN g::text ELSE '' END, 'staff' || g || '@ghost.example'
  FROM generate_series(1, 60) g,
  LATERAL (SELECT (ARRAY['Laura','Hans','José','Anna','Mason','Karl','Eva','Luca'])[1 + g % 8] f,
    (ARRAY['Sanders','Dietz','Ripoll','Schmidt','van Brunswijk','Weber','Novak'])[1 + g % 7] l) x;
CREATE TABLE posts (id serial PRIMARY KEY, author_id varchar(24) REFERENCES users,
  title text, slug varchar(191) NOT NULL UNIQUE);
INSERT INTO posts (author_id, title, slug)
  SELECT md5((1 + g % 60)::text)::varchar(24), t, lower(replace(t, ' ', '-')) || '-' || g
  FROM generate_series(1, 200) g,
  LATERAL (SELECT (ARRAY['My trip to Berlin', 'Ten tips for better sleep', 'Why we moved',
    'Release notes', 'Interview with the team'])[1 + g % 5] t) x;
ANALYZE;
"""


def test_slugs_of_the_rows_own_person_are_hashed_as_slugs(make_db, tmp_path: Path) -> None:
    """Ghost's users.slug 'laura-sanders3' (author URLs) names its staff member in lower
    case: hashed, still a slug and unique; blog posts' slugs name no one and stay."""
    dsn, text = generate_then_mask(make_db, tmp_path, GHOST)
    assert strategy_of(text, "public.users", "slug") == "hash", text
    why = comment_of(text, "public.users", "slug")
    assert "60 of 60 sampled values are slugs of their own person's names" in why, why
    assert strategy_of(text, "public.posts", "slug") == "keep", text
    with psycopg.connect(dsn) as conn:
        users = conn.execute(
            r"""SELECT count(*) FILTER (WHERE slug ~* 'laura|sanders|dietz|ripoll|novak'),
                 count(*) FILTER (WHERE slug !~ '^user-[0-9a-f]+$'), count(DISTINCT slug)
               FROM users"""
        ).fetchone()
        posts = conn.execute("SELECT count(*) FROM posts WHERE slug LIKE 'my-trip-%'").fetchone()
    assert users == (0, 0, 60)
    assert posts == (40,)
