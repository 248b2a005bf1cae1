"""TOTP seeds in base32: Supabase's auth.mfa_factors.secret was hashed to hex, which
has 0, 1, 8 and 9 (not base32), so the seed no longer decoded. A hashed column whose
sampled values are all base32 gets `{strategy: hash, alphabet: base32}`: base32 of the
same length, padding kept. Hex tokens keep plain `hash`."""

from __future__ import annotations

import base64
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE SCHEMA auth;
CREATE TABLE auth.mfa_factors (id serial PRIMARY KEY, factor_type text NOT NULL,
  secret text, phone text);
INSERT INTO auth.mfa_factors (factor_type, secret)
  SELECT 'totp', left(upper(translate(md5(g::text) || md5(g::text || 'y'), '0189abcdef',
  'QRSTUVWXYZ')), CASE WHEN g % 5 = 0 THEN 60 ELSE 64 END)
  || CASE WHEN g % 5 = 0 THEN '====' ELSE '' END
  FROM generate_series(1, 100) g;
INSERT INTO auth.mfa_factors (factor_type, phone) VALUES ('phone', '+4915112345678');
CREATE TABLE api_tokens (id serial PRIMARY KEY, token text UNIQUE);
INSERT INTO api_tokens (token) SELECT upper(md5(g::text)) FROM generate_series(1, 100) g;
"""


def test_base32_seeds_stay_base32(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "auth.mfa_factors", "secret") == {
        "strategy": "hash",
        "alphabet": "base32",
    }
    assert rule_of(text, "public.api_tokens", "token") == {"strategy": "hash", "unique": True}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT left(upper(translate(md5(id::text) || md5(id::text || 'y'), '0189abcdef',"
            " 'QRSTUVWXYZ')), CASE WHEN id % 5 = 0 THEN 60 ELSE 64 END)"
            " || CASE WHEN id % 5 = 0 THEN '====' ELSE '' END, secret"
            " FROM auth.mfa_factors WHERE factor_type = 'totp'"
        ).fetchall()
    assert len(rows) == 100
    for before, after in rows:
        assert after != before and len(after) == len(before), (before, after)
        assert after.endswith("====") == before.endswith("====")
        base64.b32decode(before)
        base64.b32decode(after)  # still decodes
