"""LimeSurvey's users: `users_name` (the logins) was kept, as the name list had
user_name only; `validation_key` (a password-reset key of 38 hex characters) was no
credential; a survey's `bounce_email` was never masked, 'bounce' making the name one
about an address rather than the address. Plurals of the login words, `*_key` columns
of long random hex and a word qualifying the kind's word before it fix them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import hex_keys, pii

from .helpers import generate_then_mask, strategy_of


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("users_name", "username"),
        ("usernames", "username"),
        ("bounce_email", "email"),
        ("email_bounce", None),
        ("bounce_email_count", None),
        ("email_bounced", None),
    ],
)
def test_login_and_bounce_names(column: str, kind: str | None) -> None:
    found = pii.match_name(column, "public.lime_users")
    assert (found.kind if found else None) == kind


def test_random_hex_keys_are_credentials() -> None:
    keys = [f"{i:06x}a9f3c2e1b0d4f5a6c7e8d9f0a1b2" for i in range(20)]
    assert hex_keys.reason("validation_key", keys) is not None
    assert hex_keys.reason("cache_key", keys) is None  # a cache's key
    assert hex_keys.reason("validation", keys) is None  # no `_key` name
    assert hex_keys.reason("reset_key", ["12345678901234567890123"] * 3) is None
    assert hex_keys.reason("reset_key", ["ab" * 12] * 20) is None  # one value repeated


LIMESURVEY = """
CREATE TABLE lime_users (uid serial PRIMARY KEY, users_name varchar(64) UNIQUE NOT NULL,
  full_name varchar(50), validation_key varchar(38), validation_key_expiration timestamp);
INSERT INTO lime_users (users_name, full_name, validation_key)
  SELECT 'aschmidt' || g, 'Anna Schmidt', md5(g::text) || '5f3a9e' FROM generate_series(1, 40) g;
CREATE TABLE lime_surveys (sid int PRIMARY KEY, bounce_email text, admin text);
INSERT INTO lime_surveys SELECT g, 'anna.schmidt' || g || '@mail.example', 'x'
  FROM generate_series(1, 40) g;
ANALYZE;
"""


def test_limesurvey_logins_keys_and_bounce_addresses(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, LIMESURVEY)
    assert strategy_of(text, "public.lime_users", "users_name") == "hash", text
    assert strategy_of(text, "public.lime_users", "validation_key") == "hash", text
    assert strategy_of(text, "public.lime_surveys", "bounce_email") == "email", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT (SELECT count(*) FROM lime_users WHERE users_name LIKE 'aschmidt%'
                        OR validation_key LIKE '%5f3a9e'),
                      (SELECT count(*) FROM lime_surveys WHERE bounce_email LIKE 'anna.%')"""
        ).fetchone()
    assert row == (0, 0)
