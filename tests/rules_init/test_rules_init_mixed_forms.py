"""Columns mixing addresses with phone numbers or usernames: `forms`, each value by its form.

A login-named `handle` of phone numbers and (a third) addresses got `phone`, which
rewrites digits only: 'anna.schmidt.3@mail.example' became 'anna.schmidt.8@...', the
name kept. A `contact` of addresses and usernames got `email`, and every username
became an address. A phone column with a few blanks or 'n/a', and Cal.com's location
(phone numbers or 'integrations:zoom'), stay `phone`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

MIXED = """
CREATE TABLE accounts (id int PRIMARY KEY, handle text UNIQUE NOT NULL, contact text,
  username text, phone text, location text);
INSERT INTO accounts SELECT g,
  CASE WHEN g % 3 = 0
    THEN (ARRAY['anna.schmidt','peter.meyer','lisa.wagner'])[1 + g % 3] || '.' || g
      || '@mail.example'
    ELSE '+49 151 ' || lpad((g * 7919)::text, 7, '0') END,
  CASE WHEN g % 2 = 0
    THEN (ARRAY['jonas.becker','marie.fischer'])[1 + g % 2] || '.' || g || '@mail.example'
    ELSE (ARRAY['jonas_becker','marie_fischer'])[1 + g % 2] || g END,
  (ARRAY['jonas_becker','marie_fischer'])[1 + g % 2] || g,
  CASE WHEN g % 20 = 0 THEN 'n/a' WHEN g % 20 = 1 THEN ''
    ELSE '+49 30 ' || lpad((g * 31)::text, 6, '0') END,
  CASE WHEN g % 3 = 0 THEN '+1 415 555 ' || lpad(g::text, 4, '0')
    ELSE (ARRAY['integrations:zoom','integrations:google:meet'])[1 + g % 2] END
  FROM generate_series(1, 300) g;
"""


def test_addresses_beside_phones_or_usernames_masked_by_form(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MIXED)
    handle = rule_of(text, "public.accounts", "handle")
    assert handle["strategy"] == "forms", text
    assert handle["cases"]["email"] == {"strategy": "email", "unique": True}, text
    assert handle["default"] == {"strategy": "phone", "unique": True}, text
    contact = rule_of(text, "public.accounts", "contact")
    assert contact["strategy"] == "forms", text
    # the usernames masked as the username column is (rules init's username rule)
    assert contact["default"] == rule_of(text, "public.accounts", "username"), text
    # a few blanks and 'n/a' are no other form; 'integrations:zoom' neither
    assert strategy_of(text, "public.accounts", "phone") == "phone", text
    assert strategy_of(text, "public.accounts", "location") == "phone", text
    with psycopg.connect(dsn) as conn:
        handles = conn.execute(
            """SELECT count(*) FILTER (WHERE handle ~ '(schmidt|meyer|wagner)'),
                count(*) FILTER (WHERE handle LIKE '%@%'),
                count(*) FILTER (WHERE handle ~ '^\\+49 [0-9 ]+$'),
                count(DISTINCT handle)
            FROM accounts"""
        ).fetchone()
        assert handles == (0, 100, 200, 300)  # no name left; addresses, numbers, unique
        contacts = conn.execute(
            """SELECT count(*) FILTER (WHERE contact ~ '(becker|fischer)'),
                count(*) FILTER (WHERE contact LIKE '%@%'),
                count(*) FILTER (WHERE id % 2 = 1 AND contact = username)
            FROM accounts"""
        ).fetchone()
        assert contacts == (0, 150, 150)  # usernames stay usernames, masked alike
        kept = conn.execute(
            """SELECT count(*) FILTER (WHERE location LIKE 'integrations:%'),
                count(*) FILTER (WHERE phone IN ('n/a', ''))
            FROM accounts"""
        ).fetchone()
        assert kept == (200, 30)
