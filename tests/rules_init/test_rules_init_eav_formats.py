"""Key/value tables keep their values' formats: a birth date kept as text is shifted as
a date (hash left no date the application parses), a key naming the attribute is the
switch's `by` (Redmine's journal_details: `prop_key`, not `property`), digit postcodes
stay digits, logins start with a letter, a short secret column gets a hash that fits."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, masked_cases, rule_of

KEYCLOAK = """
CREATE TABLE user_attribute (id serial PRIMARY KEY, name varchar(255) NOT NULL,
  value varchar(255), user_id varchar(36) NOT NULL);
INSERT INTO user_attribute (name, value, user_id)
  SELECT 'birthdate', (date '1950-01-01' + i * 97)::text, 'u' || i FROM generate_series(1, 60) i;
INSERT INTO user_attribute (name, value, user_id)
  SELECT 'postal_code', (10000 + i * 1373 % 89999)::text, 'u' || i FROM generate_series(1, 60) i;
INSERT INTO user_attribute (name, value, user_id)
  SELECT 'locale', 'de', 'u' || i FROM generate_series(1, 60) i;
"""
REDMINE = """
CREATE TABLE journal_details (id serial PRIMARY KEY, journal_id int NOT NULL,
  property varchar(30) NOT NULL, prop_key varchar(30) NOT NULL, old_value text, value text);
INSERT INTO journal_details (journal_id, property, prop_key, old_value, value)
  SELECT i, 'attr', 'status_id', '1', (1 + i % 5)::text FROM generate_series(1, 80) i;
INSERT INTO journal_details (journal_id, property, prop_key, old_value, value)
  SELECT i, 'attr', 'assigned_to_id', NULL, (3 + i % 7)::text FROM generate_series(1, 80) i;
INSERT INTO journal_details (journal_id, property, prop_key, old_value, value)
  SELECT i, 'attr', 'notes', 'ring +49 40 ' || (2000000 + i),
    'call me on +49 30 ' || (1000000 + i) || ' please'
  FROM generate_series(1, 80) i;
"""


def test_a_keycloak_attribute_table_keeps_formats(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, KEYCLOAK)
    rule = rule_of(text, "public.user_attribute", "value")
    assert rule["by"] == "name"
    assert rule["cases"]["postal_code"] == "digits", rule
    assert rule["cases"]["birthdate"] == {"strategy": "date_shift", "max_days": 365, "text": True}
    assert "ISO dates kept as text" in comment_of(text, "public.user_attribute", "value")
    with psycopg.connect(dsn) as conn:
        codes = conn.execute(
            "SELECT value FROM user_attribute WHERE name = 'postal_code'"
        ).fetchall()
        moved = conn.execute(
            "SELECT count(*) FILTER (WHERE value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
            " AND abs(value::date - (date '1950-01-01' + (id * 97))) BETWEEN 1 AND 365),"
            " count(*) FROM user_attribute WHERE name = 'birthdate'"
        ).fetchone()
    assert codes and all(c.isdigit() and len(c) == 5 for (c,) in codes), codes[:5]
    assert moved == (60, 60)  # still dates, each moved by a year at most, none kept


def test_redmine_journal_details_switch_on_the_attribute_key(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, REDMINE)
    rule = rule_of(text, "public.journal_details", "value")
    assert rule["by"] == "prop_key", rule
    assert set(masked_cases(rule)) == {"notes"}, rule
    with psycopg.connect(dsn) as conn:
        ids = conn.execute(
            "SELECT count(*) FROM journal_details WHERE prop_key <> 'notes' AND value ~ '^[0-9]+$'"
        ).fetchone()
        notes = conn.execute(
            "SELECT count(*) FROM journal_details WHERE value LIKE '%+49 30%'"
        ).fetchone()
        old_ids = conn.execute(
            "SELECT count(*) FROM journal_details WHERE prop_key = 'status_id' AND old_value = '1'"
        ).fetchone()
        old_notes = conn.execute(
            "SELECT count(*) FROM journal_details WHERE old_value LIKE '%+49 40%'"
        ).fetchone()
    assert ids == (160,)  # status and assignee ids still ids
    assert notes == (0,)
    # the value a change replaced is masked alike: ids kept, notes masked
    assert rule_of(text, "public.journal_details", "old_value") == rule
    assert (old_ids, old_notes) == ((80,), (0,))


def test_user_names_are_masked_to_start_with_a_letter(make_db, tmp_path: Path) -> None:
    """hash gave 32 hex characters, which start with a digit in 10 of 16 rows: Redmine
    and Mattermost refuse such a login."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE users (id int PRIMARY KEY, login varchar(255) NOT NULL UNIQUE);"
        "INSERT INTO users SELECT i, 'jdoe' || i FROM generate_series(1, 100) i;",
    )
    assert rule_of(text, "public.users", "login")["prefix"] == "u"
    with psycopg.connect(dsn) as conn:
        logins = [r[0] for r in conn.execute("SELECT login FROM users").fetchall()]
    assert all(login[0].isalpha() and "jdoe" not in login for login in logins), logins[:5]
    assert len(set(logins)) == 100


def test_a_short_secret_column_gets_a_hash_that_fits(make_db, tmp_path: Path) -> None:
    """Saleor's jwt_token_key varchar(12) was kept with "no masking strategy fits",
    though a 12-character hash does."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE account_user (id int PRIMARY KEY, jwt_token_key varchar(12) NOT NULL);"
        "INSERT INTO account_user SELECT i, left(md5(i::text), 12) FROM generate_series(1, 50) i;",
    )
    assert rule_of(text, "public.account_user", "jwt_token_key") == {
        "strategy": "hash",
        "length": 12,
    }
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM account_user WHERE jwt_token_key = left(md5(id::text), 12)"
        ).fetchone()
    assert kept == (0,)
