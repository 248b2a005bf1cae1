"""`pw` names a password as `pwd` and `passwd` do: `encrypted_pw` (MD5 hex), `db_pw`,
`smtp_pw` ('Sommer2001!') and a bytea `encrypted_pw` were kept with no note, so the
credentials reached staging. So were `pw` glued to what it opens (`userpw`, `adminpw`,
`dbpw`, `smtppw`). Names about a password (`pw_changed_at`) and words that merely
start with the letters (`pwm`), or one letter and `pw` (`hpw`: horsepower), stay
unmatched."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE accounts (id int PRIMARY KEY, encrypted_pw text NOT NULL,
  db_pw text, smtp_pw text, pw_changed_at timestamptz, pwm int);
INSERT INTO accounts SELECT i, md5('secret' || i), 'Db-Geheim' || i, 'Sommer2001!',
  now() - i * interval '1 day', i % 7 FROM generate_series(1, 200) i;
CREATE TABLE legacy_users (id int PRIMARY KEY, "userPw" text, encrypted_pw bytea,
  userpw text, adminpw varchar(64), dbpw text, smtppw text, hpw text);
INSERT INTO legacy_users SELECT i, 'Winter' || i || '!', decode(md5('x' || i), 'hex'),
  'Herbst' || i || '?', md5('admin' || i), 'Db-Geheim' || i, 'Sommer2001!', (90 + i)::text
  FROM generate_series(1, 200) i;
"""
GLUED = ["userpw", "adminpw", "dbpw", "smtppw"]


@pytest.mark.parametrize(
    "column",
    ["encrypted_pw", "db_pw", "smtp_pw", "userPw", "pw_hash", *GLUED, "rootpw", "userpwhash"],
)
def test_pw_names_a_password(column: str) -> None:
    found = pii.match_name(column, "public.accounts")
    assert found is not None and found.kind == "secret", found


@pytest.mark.parametrize(
    "column",
    ["pw_changed_at", "pwm", "pw_length", "pw_policy", "hpw", "mpw", "userpw_changed_at"],
)
def test_names_about_a_pw_are_none(column: str) -> None:
    assert pii.match_name(column, "public.accounts") is None


def test_pw_columns_are_masked_and_none_of_their_values_stays(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        before = conn.execute(
            "SELECT encrypted_pw, db_pw, smtp_pw FROM accounts ORDER BY id"
        ).fetchall()
        before_legacy = conn.execute(
            f'SELECT "userPw", encrypted_pw, {", ".join(GLUED)} FROM legacy_users ORDER BY id'
        ).fetchall()
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in [
        ("public.accounts", "encrypted_pw"),
        ("public.accounts", "db_pw"),
        ("public.accounts", "smtp_pw"),
        ("public.legacy_users", "userPw"),
        ("public.legacy_users", "encrypted_pw"),
        *(("public.legacy_users", column) for column in GLUED),
    ]:
        assert strategy_of(text, table, column) != "keep", (table, column)
    assert strategy_of(text, "public.accounts", "pw_changed_at") == "keep"
    assert strategy_of(text, "public.legacy_users", "hpw") == "keep"
    with psycopg.connect(dsn) as conn:
        after = conn.execute(
            "SELECT encrypted_pw, db_pw, smtp_pw FROM accounts ORDER BY id"
        ).fetchall()
        after_legacy = conn.execute(
            f'SELECT "userPw", encrypted_pw, {", ".join(GLUED)} FROM legacy_users ORDER BY id'
        ).fetchall()
        hpw = conn.execute(
            "SELECT count(*) FROM legacy_users WHERE hpw = (90 + id)::text"
        ).fetchone()
    for old, new in zip(before + before_legacy, after + after_legacy, strict=True):
        for a, b in zip(old, new, strict=True):
            assert a != b, (a, b)
    assert hpw == (200,)  # horsepower, kept
