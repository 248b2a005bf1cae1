"""Credentials kept as bytes, and credential columns NULL in the sample: Vaultwarden's
users.password_hash (bytea) was kept with "REVIEW: no masking strategy fits bytea"
(hash wrote only text), and users.totp_recover, devices.twofactor_remember kept with no
note at all."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

VAULTWARDEN = """
CREATE TABLE users (uuid text PRIMARY KEY, email text UNIQUE NOT NULL,
  password_hash bytea NOT NULL, salt bytea NOT NULL, totp_recover text);
INSERT INTO users SELECT 'u' || i, 'user' || i || '@mail.example',
  sha256(('pw' || i)::bytea), sha256(('salt' || i)::bytea), NULL FROM generate_series(1, 300) i;
CREATE TABLE devices (uuid text PRIMARY KEY, user_uuid text NOT NULL REFERENCES users,
  name text NOT NULL, twofactor_remember text);
INSERT INTO devices SELECT 'd' || i, 'u' || i, 'firefox', NULL FROM generate_series(1, 300) i;
ANALYZE;
"""


def test_bytea_password_hashes_are_hashed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, VAULTWARDEN)
    assert rule_of(text, "public.users", "password_hash") == "hash"
    # NULL in the sample, named as what they are: a TOTP recovery code, a remember-me token
    assert rule_of(text, "public.users", "totp_recover") == "hash"
    assert rule_of(text, "public.devices", "twofactor_remember") == "hash"
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER"
            " (WHERE password_hash = sha256(('pw' || substr(uuid, 2))::bytea)),"
            " count(DISTINCT password_hash), min(length(password_hash)) FROM users"
        ).fetchone()
    assert row == (0, 300, 16)


def test_hash_on_bytea_refuses_text_parts() -> None:
    """On bytea hash writes bytes: a prefix or a kept lead has nowhere to go."""
    from dbrefresh.strategies.base import ColumnContext, ColumnType
    from dbrefresh.strategies.registry import get

    ctx = ColumnContext(
        table="public.users",
        column="password_hash",
        type=ColumnType("bytea", "bytea", "U"),
        nullable=False,
        unique=False,
        row_columns={},
    )
    s = get("hash")
    assert s.check(s.parse_params({}), ctx) == []
    assert "bytea" in s.check(s.parse_params({"prefix": "u"}), ctx)[0]
