"""Equal addresses mask alike across every email proposal of `rules init`.

A display-name column ('Ann <User.3@Example.COM>') got `email` without the fold_case
its sibling citext column had, so after masking a third of the rows showed a display
address other than the contact's; an address at a JSON path got plain `email` while
the email columns had `unique: true`, so `payload->>'email' = accounts.email` matched
every event in production and none after masking."""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE contacts (id int PRIMARY KEY, contact_email citext, display_to text);
INSERT INTO contacts SELECT i, 'user.' || i || '@example.com',
  (ARRAY['Ann Lee', 'Jon Berg', 'Mia Wu'])[1 + i % 3] || ' <'
  || (CASE i % 3 WHEN 0 THEN 'User.' || i || '@Example.COM'
                 ELSE 'user.' || i || '@example.com' END) || '>'
  FROM generate_series(1, 600) i;
CREATE TABLE accounts (id int PRIMARY KEY, email text UNIQUE NOT NULL);
INSERT INTO accounts SELECT i, 'member' || i || '@mail.example' FROM generate_series(1, 400) i;
CREATE TABLE events (id int PRIMARY KEY, payload jsonb NOT NULL);
INSERT INTO events SELECT i, jsonb_build_object('kind', 'login',
  'email', 'member' || (1 + i % 400) || '@mail.example', 'ok', true)
  FROM generate_series(1, 800) i;
CREATE TABLE wp_usermeta (umeta_id serial PRIMARY KEY, user_id int NOT NULL,
  meta_key varchar(255), meta_value text);
INSERT INTO wp_usermeta (user_id, meta_key, meta_value)
  SELECT i, k, CASE k WHEN 'billing_email' THEN 'member' || i || '@mail.example'
                      WHEN 'rich_editing' THEN 'true' END
  FROM unnest(ARRAY['billing_email', 'rich_editing']) k, generate_series(1, 400) i;
"""

DISPLAY_MATCHES = """
SELECT count(*) FROM contacts
 WHERE lower(substring(display_to FROM '<([^>]+)>')) = lower(contact_email::text)"""
JSON_MATCHES = "SELECT count(*) FROM events e JOIN accounts a ON e.payload->>'email' = a.email"
META_MATCHES = """
SELECT count(*) FROM wp_usermeta m JOIN accounts a ON m.meta_value = a.email
 WHERE m.meta_key = 'billing_email'"""


def _email_rules(node: object) -> list[dict[str, object]]:
    """Every email rule anywhere in a generated file (columns, JSON paths, cases)."""
    if isinstance(node, dict):
        found = [node] if node.get("strategy") == "email" else []
        return found + [r for v in node.values() for r in _email_rules(v)]
    if isinstance(node, list):
        return [r for v in node for r in _email_rules(v)]
    return []


def test_every_email_proposal_masks_equal_addresses_alike(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    with psycopg.connect(dsn) as conn:  # the joins match as in production
        matches = [
            conn.execute(q).fetchone() for q in (DISPLAY_MATCHES, JSON_MATCHES, META_MATCHES)
        ]
    assert matches == [(600,), (800,), (400,)], matches
    rules = _email_rules(yaml.safe_load(text))
    assert len(rules) >= 5, text
    assert all(r.get("unique") is True for r in rules), rules
    display = rule_of(text, "public.contacts", "display_to")
    assert display["strategy"] == "email" and display.get("fold_case") is True, display
    with psycopg.connect(dsn) as conn:
        # and they were masked
        assert conn.execute(
            "SELECT count(*) FROM accounts WHERE email LIKE 'member%@mail.example'"
        ).fetchone() == (0,)


VARIANTS = """
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE subscribers (id int PRIMARY KEY, email citext);
INSERT INTO subscribers SELECT i, 'reader' || i || '@news.example' FROM generate_series(1, 100) i;
CREATE TABLE logins (id int PRIMARY KEY, email text UNIQUE NOT NULL);
INSERT INTO logins SELECT i, 'reader' || i || '@news.example' FROM generate_series(1, 100) i;
INSERT INTO logins VALUES (101, 'Reader1@news.example');
"""


def test_a_unique_column_holding_case_variants_is_not_folded(make_db, tmp_path: Path) -> None:
    """Folded, 'Reader1@…' and 'reader1@…' would collide and anonymize refuse the file:
    none is folded for the others' sake, and the column says why."""
    dsn, text = generate_then_mask(make_db, tmp_path, VARIANTS)
    assert "fold_case" not in rule_of(text, "public.logins", "email")
    assert "holds addresses differing only in case" in comment_of(text, "public.logins", "email")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(DISTINCT email) FROM logins").fetchone() == (101,)
