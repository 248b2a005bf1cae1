"""`displayName` of a thing: Twenty's core.workspace."displayName" ('Acme', 'Qonto')
got `full_name` by its name alone, as if workspaces were people. Outside a table about
people, when no sampled value is a person's full name, it is kept with a REVIEW note."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_and_compile, strategy_of

BRANDS = "ARRAY['Acme', 'Qonto', 'YCombinator', 'Twenty', 'Linear', 'Airbnb', 'Stripe', 'Notion']"
SCHEMA = f"""
CREATE SCHEMA core;
CREATE TABLE core.workspace (id serial PRIMARY KEY, "displayName" text);
INSERT INTO core.workspace ("displayName")
  SELECT ({BRANDS})[1 + i % 8] || CASE WHEN i > 8 THEN ' ' || i ELSE '' END
  FROM generate_series(1, 200) i;
-- a workspace named after its owner: the name's rule stays
CREATE TABLE core.team (id serial PRIMARY KEY, "displayName" text);
INSERT INTO core.team ("displayName")
  SELECT CASE WHEN i % 10 = 0 THEN 'Anna Schmidt'
    ELSE ({BRANDS})[1 + i % 8] || ' ' || (i + 2000) END
  FROM generate_series(1, 200) i;
-- a table about people keeps the rule whatever the values
CREATE TABLE core.users (id serial PRIMARY KEY, "displayName" text);
INSERT INTO core.users ("displayName")
  SELECT ({BRANDS})[1 + i % 8] || ' ' || (i + 1000) FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_a_things_display_name_is_not_a_persons(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "core.workspace", "displayName") == "keep", text
    note = comment_of(text, "core.workspace", "displayName")
    assert "REVIEW" in note and "not about people" in note, note
    assert strategy_of(text, "core.team", "displayName") == "full_name"
    assert strategy_of(text, "core.users", "displayName") == "full_name"


AUTH = """
CREATE TABLE authentication (key varchar(255) PRIMARY KEY, "strategyKey" varchar(255),
  "displayName" varchar(255));
INSERT INTO authentication VALUES ('local', 'local', 'Local'), ('github', 'github', 'GitHub'),
  ('azure', 'azure', 'Azure AD'), ('ldap1', 'ldap', 'LDAP');
CREATE TABLE users (id serial PRIMARY KEY, display_name text);
INSERT INTO users (display_name) SELECT 'jdoe' || i FROM generate_series(1, 40) i;
ANALYZE;
"""


def test_product_names_shaped_like_logins_are_a_things_display_name(
    make_db, tmp_path: Path
) -> None:
    """Wiki.js' authentication."displayName" ('GitHub', 'LDAP': shaped like logins) got
    `{hash, prefix: u}` as a user name: a login method's name, outside a table of
    people, is kept; logins in a table of people stay a user name."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(AUTH)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.authentication", "displayName") == "keep", text
    assert strategy_of(text, "public.authentication", "strategyKey") == "keep", text
    assert strategy_of(text, "public.users", "display_name") == "hash", text
