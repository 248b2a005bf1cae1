"""A unique phone number (users log in with it) masked with `phone, unique: true`: a
keyed permutation of its digits keeps it unique, in its format, and joined to the rows
that reference it; without `unique: true` the rule is refused before anything runs."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from tests.anonymize.helpers import db_with_rules, mask_and_verify, refused_findings

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, phone varchar(16) NOT NULL UNIQUE);
CREATE TABLE otp_requests (id int PRIMARY KEY, phone varchar(16) REFERENCES users (phone));
-- every number of a block in use: a dense domain, where a lossy strategy would collide
INSERT INTO users SELECT i, format('+1 555 %s', lpad(i::text, 4, '0'))
  FROM generate_series(0, 9999) i;
INSERT INTO otp_requests SELECT i, format('+1 555 %s', lpad((i * 7 % 10000)::text, 4, '0'))
  FROM generate_series(1, 3000) i;
"""
RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      phone: {strategy: phone, keep_prefix: 3, unique: true}
  public.otp_requests:
    columns:
      id: keep
      phone: {strategy: phone, keep_prefix: 3, unique: true}
"""
JOINED = "SELECT u.id, o.id FROM otp_requests o JOIN users u ON u.phone = o.phone ORDER BY o.id"


def test_unique_phone_numbers_stay_unique_joined_and_formatted(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "phones.yaml")
    with psycopg.connect(dsn) as conn:
        before = dict(conn.execute("SELECT id, phone FROM users").fetchall())
        joined = conn.execute(JOINED).fetchall()
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.total_leaks == 0
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, phone FROM users").fetchall())
        assert conn.execute(JOINED).fetchall() == joined  # every request still finds its user
    assert all(after[i] != before[i] for i in before)
    assert all(re.fullmatch(r"\+1 [0-9]{3} [0-9]{4}", p) for p in after.values())
    assert len(set(after.values())) == len(after)


def test_a_lossy_phone_rule_on_a_unique_column_is_refused(make_db, tmp_path: Path) -> None:
    lossy = RULES.replace(", unique: true}", "}")
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, lossy, "phones.yaml")
    findings = refused_findings(dsn, rules)
    messages = [f.render() for f in findings]
    assert any(
        "public.users.phone" in m and "set unique: true on the phone strategy" in m
        for m in messages
    ), messages


PLACEHOLDERS = """
CREATE TABLE addresses (id int PRIMARY KEY, telephone varchar(32) NOT NULL UNIQUE);
-- a shop's NOT NULL telephone: real numbers and the placeholders checkout accepts
INSERT INTO addresses SELECT i, format('+49 30 %s', 1000000 + i) FROM generate_series(1, 300) i;
INSERT INTO addresses VALUES (301, '0'), (302, '+1'), (303, '00'), (304, '5');
"""


def test_a_placeholder_too_short_to_permute_is_no_survivor(make_db, tmp_path: Path) -> None:
    """'0' in a NOT NULL telephone column is all lead: the unique phone strategy keeps it
    (no digit is left to permute), and verify counted it as an original that survived,
    failing every nightly refresh."""
    rules_text = "version: 1\ntables:\n  public.addresses:\n    columns:\n      id: keep\n"
    rules_text += "      telephone: {strategy: phone, unique: true}\n"
    dsn, rules = db_with_rules(make_db, tmp_path, PLACEHOLDERS, rules_text, "phones.yaml")
    with psycopg.connect(dsn) as conn:
        before = dict(conn.execute("SELECT id, telephone FROM addresses").fetchall())
    report = mask_and_verify(dsn, rules)
    assert report.findings == [], [f.render() for f in report.findings]
    assert report.total_leaks == 0
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, telephone FROM addresses").fetchall())
    assert all(after[i] != before[i] for i in range(1, 301))  # every real number changed
    assert len(set(after.values())) == len(after)
