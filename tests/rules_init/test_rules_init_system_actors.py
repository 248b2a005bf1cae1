"""Built-in accounts spelled in one case and the system's own actors: django-guardian's
auth_user 'AnonymousUser' (looked up by that username) was hashed, and ODK Central's
actors '*anonymous*' (type 'system'), 'system: analytics' ('singleUse') and a public
link's name ('public_link') got people's names."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE auth_user (id serial PRIMARY KEY, password varchar(128) NOT NULL,
  username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL,
  last_name varchar(150) NOT NULL, email varchar(254) NOT NULL);
INSERT INTO auth_user (password, username, first_name, last_name, email) VALUES
  ('!unusable', 'AnonymousUser', '', '', '');
INSERT INTO auth_user (password, username, first_name, last_name, email)
  SELECT 'pbkdf2_sha256$260000$salt' || g || '$hash', lower(f || '.' || l) || g, f, l,
  lower(f || '.' || l) || g || '@example.org'
  FROM generate_series(1, 120) g, LATERAL (SELECT
    (ARRAY['Anna', 'John', 'Maria', 'Pierre'])[1 + g % 4] f,
    (ARRAY['Schmidt', 'Smith', 'Garcia', 'Dubois', 'Rossi'])[1 + g % 5] l) n;
CREATE TABLE actors (id serial PRIMARY KEY, type varchar(15), "acteeId" varchar(36) NOT NULL
  UNIQUE, "displayName" varchar(64) NOT NULL);
INSERT INTO actors (type, "acteeId", "displayName") VALUES
  ('system', 'a0000000-0000-0000-0000-000000000001', '*anonymous*'),
  ('singleUse', 'a0000000-0000-0000-0000-000000000002', 'system: analytics'),
  ('public_link', 'a0000000-0000-0000-0000-000000000003', 'Community survey link');
INSERT INTO actors (type, "acteeId", "displayName")
  SELECT 'user', 'b0000000-0000-0000-0000-' || lpad(g::text, 12, '0'), f || ' ' || l
  FROM generate_series(1, 120) g, LATERAL (SELECT
    (ARRAY['Jennifer', 'Anne', 'Sébastien', 'Paul'])[1 + g % 4] f,
    (ARRAY['Williams', 'Moreno', 'Mary', 'Evans', 'Combs'])[1 + g % 5] l) n;
ANALYZE;
"""


def test_anonymous_accounts_and_system_actors_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    username = rule_of(text, "public.auth_user", "username")
    assert username["strategy"] == "switch", username
    assert username["cases"] == {"AnonymousUser": "keep"}
    name = rule_of(text, "public.actors", "displayName")
    assert name["strategy"] == "switch" and name["by"] == "type", name
    assert name["cases"] == {"system": "keep", "singleUse": "keep", "public_link": "keep"}
    with psycopg.connect(dsn) as conn:
        anonymous = conn.execute(
            "SELECT count(*) FROM auth_user WHERE username = 'AnonymousUser'"
        ).fetchone()
        kept = conn.execute(
            "SELECT array_agg(\"displayName\" ORDER BY id) FROM actors WHERE type <> 'user'"
        ).fetchone()
        people = conn.execute(
            "SELECT count(*) FROM actors WHERE type = 'user' AND \"displayName\" ~"
            " '^(Jennifer|Anne|Sébastien|Paul) (Williams|Moreno|Mary|Evans|Combs)$'"
        ).fetchone()
    assert anonymous == (1,)
    assert kept == (["*anonymous*", "system: analytics", "Community survey link"],)
    assert people is not None and people[0] < 10
