"""citext and nondeterministic ICU collations compare values case-insensitively: a key
between two spellings of one address must still match after masking, and a key that
one case-insensitive side cannot keep is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from dbrefresh.db import with_database
from dbrefresh.workflow.sqlutil import drop_database
from tests.anonymize.helpers import (
    ACCOUNTS_LOGINS_RULES,
    db_with_rules,
    mask_and_verify,
    refused_findings,
)

CITEXT_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE users (id int PRIMARY KEY, email citext NOT NULL UNIQUE);
CREATE TABLE events (id int PRIMARY KEY, user_email citext REFERENCES users (email));
INSERT INTO users SELECT i, format('User%s@Shop.Example', i) FROM generate_series(1, 300) i;
-- the same addresses spelled in lower case: equal for citext, different as text
INSERT INTO events SELECT i, format('user%s@shop.example', 1 + i % 300)
  FROM generate_series(1, 900) i;
"""
CITEXT_RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      email: {strategy: email, unique: true}
  public.events:
    columns:
      id: keep
      user_email: {strategy: email, unique: true}
"""

# the same, under a case-insensitive ICU collation (strength secondary)
COLLATION_SCHEMA = (
    CITEXT_SCHEMA.replace(
        "CREATE EXTENSION IF NOT EXISTS citext;",
        "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);",
    )
    .replace("email citext", "email text COLLATE ci")
    .replace("user_email citext", "user_email text COLLATE ci")
)


@pytest.mark.parametrize("schema", [CITEXT_SCHEMA, COLLATION_SCHEMA], ids=["citext", "icu"])
def test_a_case_insensitive_key_between_two_spellings_still_joins(
    make_db, tmp_path: Path, schema: str
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, schema, CITEXT_RULES, "ci.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        joined, distinct, originals = conn.execute(
            "SELECT count(u.id), count(DISTINCT e.user_email::text), "
            "count(*) FILTER (WHERE e.user_email::text COLLATE \"C\" LIKE '%@shop.example') "
            "FROM events e LEFT JOIN users u ON u.email = e.user_email"
        ).fetchone()
        # both spellings got the very same masked text, not just a citext-equal one
        same_text = conn.execute(
            "SELECT bool_and(u.email::text = e.user_email::text) "
            "FROM events e JOIN users u ON u.email = e.user_email"
        ).fetchone()
    assert (joined, distinct, originals) == (900, 300, 0)
    assert same_text == (True,)


MIXED_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE accounts (email text PRIMARY KEY);
CREATE TABLE logins (id int PRIMARY KEY, email citext REFERENCES accounts (email));
INSERT INTO accounts VALUES ('Ann@x.example'), ('ann@x.example');
INSERT INTO logins VALUES (1, 'Ann@x.example'), (2, 'ann@x.example');
"""


def test_a_key_from_citext_to_text_is_refused_naming_the_types(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, MIXED_SCHEMA, ACCOUNTS_LOGINS_RULES, "mixed.yaml")
    findings = refused_findings(dsn, rules)
    assert [(f.code, f.location.key) for f in findings] == [("fk-mismatch", "public.logins.email")]
    assert "one side is citext, which ignores case" in findings[0].message
    assert findings[0].hint and "one type" in findings[0].hint


def test_a_key_from_a_case_insensitive_collation_to_text_is_refused_naming_it(
    make_db, tmp_path: Path
) -> None:
    schema = MIXED_SCHEMA.replace(
        "CREATE EXTENSION IF NOT EXISTS citext;",
        "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);",
    ).replace("email citext", "email text COLLATE ci")
    dsn, rules = db_with_rules(make_db, tmp_path, schema, ACCOUNTS_LOGINS_RULES, "mixed.yaml")
    findings = refused_findings(dsn, rules)
    assert [(f.code, f.location.key) for f in findings] == [("fk-mismatch", "public.logins.email")]
    assert "one side is text COLLATE public.ci, which ignores case" in findings[0].message


PATTERNS_SCHEMA = """
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE contacts (id int PRIMARY KEY, phone text COLLATE ci, address text COLLATE ci,
  login text COLLATE ci);
INSERT INTO contacts SELECT i, '+49 30 ' || (1000000 + i), '10.0.0.' || (i % 250),
  CASE WHEN i % 2 = 0 THEN 'user' || i || '@mail.example' ELSE '+49 151 ' || (1000000 + i) END
  FROM generate_series(1, 300) i;
"""
PATTERNS_RULES = """version: 1
tables:
  public.contacts:
    columns:
      id: keep
      phone: {strategy: digits, keep_prefix: 3}
      address: ip
      login: {strategy: forms, cases: {email: email, phone: phone}}
"""


def test_strategies_testing_patterns_mask_a_nondeterministic_column(
    make_db, tmp_path: Path
) -> None:
    """PostgreSQL refuses regular expressions and LIKE on values of a nondeterministic
    collation: digits' digit test and ip's format check failed the table every run. Such
    a column is read COLLATE "default", which strpos() (written POSITION(a IN b), whose b
    takes no COLLATE) must not take bare: ip's and forms' tests failed the table so."""
    dsn, rules = db_with_rules(make_db, tmp_path, PATTERNS_SCHEMA, PATTERNS_RULES, "pat.yaml")
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        changed = conn.execute(
            "SELECT count(*) FILTER (WHERE phone COLLATE \"C\" LIKE '+49 %'"
            " AND phone <> '+49 30 ' || (1000000 + id)),"
            " count(*) FILTER (WHERE address::inet IS NOT NULL),"
            " count(*) FILTER (WHERE login COLLATE \"C\" LIKE '%@%'"
            "   AND login COLLATE \"C\" NOT LIKE 'user%'"
            "   OR login COLLATE \"C\" LIKE '+49 %' AND login <> '+49 151 ' || (1000000 + id))"
            " FROM contacts"
        ).fetchone()
    assert changed == (300, 300, 300)


ACCENTS_SCHEMA = """
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION ai (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE users (id int PRIMARY KEY, email text COLLATE ci NOT NULL UNIQUE,
                    handle text COLLATE ai NOT NULL UNIQUE);
CREATE TABLE events (id int PRIMARY KEY, user_email text COLLATE ci REFERENCES users (email),
                     user_handle text COLLATE ai REFERENCES users (handle));
INSERT INTO users VALUES (1, 'ÉLODIE@Shop.Example', 'Zoë.Ångström'), (2, 'Ann@x.example', 'Ann');
-- other spellings: case only (non-ASCII letters too) under ci, case and accents under ai
INSERT INTO events VALUES (1, 'élodie@shop.example', 'zoe.angstrom'),
                          (2, 'ann@X.EXAMPLE', 'ANN');
"""
ACCENTS_RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      handle: {strategy: hash, unique: true}
  public.events:
    columns:
      id: keep
      user_email: {strategy: email, unique: true}
      user_handle: {strategy: hash, unique: true}
"""


def test_spellings_equal_under_an_icu_collation_still_join(admin_dsn: str, tmp_path: Path) -> None:
    """Lower-cased by the column's own (ICU) collation, so 'É' folds in a database whose
    default collation is C (where lower('É') is 'É'); accents stripped where the
    collation ignores them."""
    name = f"c_locale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        dsn = with_database(admin_dsn, name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("SELECT lower('É')").fetchone() == ("É",)
            conn.execute(ACCENTS_SCHEMA)
        rules = tmp_path / "ai.yaml"
        rules.write_text(ACCENTS_RULES)
        assert mask_and_verify(dsn, rules).findings == []
        with psycopg.connect(dsn) as conn:
            same = conn.execute(
                'SELECT bool_and(u.email::text COLLATE "C" = e.user_email::text COLLATE "C"),'
                ' bool_and(u.handle::text COLLATE "C" = e.user_handle::text COLLATE "C"),'
                " count(*) FROM events e JOIN users u ON u.id = e.id"
            ).fetchone()
        assert same == (True, True, 2)
    finally:
        drop_database(admin_dsn, name)
