"""A login under a length CHECK: the CHECK-fitting fallback kept the person's name.

`login text UNIQUE CHECK (length(login) BETWEEN 3 AND 24)` ('jonas.mueller1') got
`keep # REVIEW`, although a shorter `hash` keeps to the CHECK; `username text CHECK
(length(username) <= 12)` ('kmeier1') got `digits` with a kept lead, masked
'kmeier6': the surname survived and verify saw no leak. A `hash` of a length that
fits is tried first (16 hex or more for a unique column, to stay injective), and no
fallback keeping most of a text value's letters is accepted for a name or login."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE accounts (id int PRIMARY KEY,
  login text UNIQUE CHECK (length(login) BETWEEN 3 AND 24));
INSERT INTO accounts SELECT i,
  (ARRAY['jonas.mueller', 'anna.schmidt', 'petra.wagner', 'lukas.becker'])[1 + i % 4] || i
  FROM generate_series(1, 300) i;
CREATE TABLE members (id int PRIMARY KEY, username text CHECK (length(username) <= 12));
INSERT INTO members SELECT i,
  (ARRAY['kmeier', 'aschulz', 'pfischer', 'tweber'])[1 + i % 4] || (i % 10)
  FROM generate_series(1, 300) i;
-- no hash keeps to this one: digits would, keeping the surname, so it is kept and flagged
CREATE TABLE handles (id int PRIMARY KEY, handle text CHECK (handle ~ '^[a-z]+[0-9]$'));
INSERT INTO handles SELECT i, (ARRAY['kmeier', 'kschulz'])[1 + i % 2] || (i % 10)
  FROM generate_series(1, 100) i;
"""

SURNAMES = ("mueller", "schmidt", "wagner", "becker", "meier", "schulz", "fischer", "weber")


def test_logins_under_a_length_check_are_hashed_short_enough(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    login = rule_of(text, "public.accounts", "login")
    assert isinstance(login, dict) and login["strategy"] == "hash", login
    assert 16 <= login["length"] + len(login.get("prefix", "")) <= 24, login
    username = rule_of(text, "public.members", "username")
    assert isinstance(username, dict) and username["strategy"] == "hash", username
    assert len(username.get("prefix", "")) + username["length"] <= 12, username
    # digits would keep 'kmeier' of 'kmeier1': refused, the column flagged instead
    assert rule_of(text, "public.handles", "handle") == "keep"
    assert "REVIEW" in comment_of(text, "public.handles", "handle")
    with psycopg.connect(dsn) as conn:
        logins = [r[0] for r in conn.execute("SELECT login FROM accounts")]
        usernames = [r[0] for r in conn.execute("SELECT username FROM members")]
    assert len(set(logins)) == 300  # still unique
    for value in logins + usernames:
        assert not any(name in value for name in SURNAMES), value
