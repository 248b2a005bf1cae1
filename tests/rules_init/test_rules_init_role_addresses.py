"""PostfixAdmin's alias table: people's mailboxes beside the RFC 2142 role addresses
(postmaster@, abuse@) and the domain's catch-all '@example.org'. email unique made them
person-like addresses (Postfix requires postmaster@). Every email rule keeps the role
local parts met now, so `address` and `goto` stay alike; a database with no role
address gets no `keep`."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

PEOPLE = """
INSERT INTO alias SELECT fn || '.' || ln || '@example.org', fn || '.' || ln || '@example.org',
  'example.org' FROM unnest(ARRAY['jane', 'mario', 'amanda', 'brian', 'debra', 'chad', 'roger',
  'david', 'karen', 'lisa', 'paul', 'nina']) WITH ORDINALITY a(fn, i)
  JOIN unnest(ARRAY['doe', 'hernandez', 'diaz', 'romero', 'jones', 'davis', 'serrano',
  'walker', 'miller', 'adams', 'young', 'stone']) WITH ORDINALITY b(ln, j) ON i = j;
"""
SCHEMA = (
    """
CREATE TABLE alias (address varchar(255) PRIMARY KEY, goto text NOT NULL,
  domain varchar(255) NOT NULL);
"""
    + PEOPLE
    + """
INSERT INTO alias VALUES ('postmaster@example.org', 'jane.doe@example.org', 'example.org'),
  ('abuse@example.org', 'jane.doe@example.org,mario.hernandez@example.org', 'example.org'),
  ('@example.org', 'jane.doe@example.org', 'example.org');
"""
)


def test_role_addresses_and_catch_all_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.alias", "address")["keep"] == ["", "abuse", "postmaster"]
    assert rule_of(text, "public.alias", "goto")["keep"] == ["", "abuse", "postmaster"]
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            """SELECT array_agg(address ORDER BY address) FROM alias
               WHERE address IN ('postmaster@example.org', 'abuse@example.org', '@example.org')"""
        ).fetchone()[0]
        people = conn.execute(
            """SELECT count(*) FROM alias WHERE address LIKE '%@example.org'
               AND address NOT IN ('postmaster@example.org', 'abuse@example.org', '@example.org')
               OR goto LIKE '%jane.doe%'"""
        ).fetchone()[0]
        joined = conn.execute(
            """SELECT count(*) FROM alias a JOIN alias b ON b.address = a.goto
               WHERE a.address = '@example.org'"""
        ).fetchone()[0]
    assert kept == ["@example.org", "abuse@example.org", "postmaster@example.org"]
    assert people == 0
    assert joined == 1  # the catch-all still forwards to jane's (masked) mailbox


def test_no_role_addresses_no_keep(make_db, tmp_path: Path) -> None:
    schema = "CREATE TABLE alias (address varchar(255) PRIMARY KEY, goto text NOT NULL,"
    schema += " domain varchar(255) NOT NULL);" + PEOPLE
    _, text = generate_then_mask(make_db, tmp_path, schema)
    assert "keep" not in rule_of(text, "public.alias", "address")
