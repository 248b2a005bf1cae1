"""Immich kept three secrets with no note: shared_links.key (a share link's secret,
bytea), users."oauthId" (the subject at the OIDC provider) and the licence in
system_metadata ('license': {"licenseKey": "IMSV-...", "activationKey": ...}), while
api_keys.key and sessions.token were hashed. They are masked now; keys that are no
secret (a tag's key, a licence's type) stay."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE users (id uuid PRIMARY KEY, email varchar NOT NULL UNIQUE,
  name varchar NOT NULL DEFAULT '', "oauthId" varchar NOT NULL DEFAULT '');
INSERT INTO users SELECT md5('u' || i)::uuid, 'user' || i || '@gmail.com', 'Anna Schmidt',
    CASE WHEN i % 3 = 0 THEN (100000000000000000 + i * 7777777)::text
         WHEN i % 3 = 1 THEN md5('sub' || i)::uuid::text ELSE '' END
  FROM generate_series(1, 80) i;
CREATE TABLE shared_links (id uuid PRIMARY KEY, "userId" uuid NOT NULL REFERENCES users(id),
  key bytea NOT NULL UNIQUE, type varchar NOT NULL);
INSERT INTO shared_links SELECT md5('l' || i)::uuid, md5('u' || (1 + i % 80))::uuid,
    decode(md5('k' || i) || md5('kk' || i), 'hex'), (ARRAY['ALBUM', 'INDIVIDUAL'])[1 + i % 2]
  FROM generate_series(1, 100) i;
CREATE TABLE system_metadata (key varchar PRIMARY KEY, value jsonb NOT NULL);
INSERT INTO system_metadata VALUES
  ('license', '{"licenseKey": "IMSV-ABCD-EFGH-IJKL-MNOP", "activationKey": "eyJhbGciOiJFZERTQSJ9",
    "activatedAt": "2024-06-01T10:00:00Z"}'),
  ('version-check-state', '{"checkedAt": "2024-07-01T00:00:00Z", "releaseVersion": "v1.112.1"}');
CREATE TABLE tags (id serial PRIMARY KEY, key varchar NOT NULL, value varchar NOT NULL,
  license_type varchar NOT NULL);
INSERT INTO tags (key, value, license_type) SELECT (ARRAY['color', 'size', 'kind'])[1 + i % 3],
  'v' || i % 7, (ARRAY['MIT', 'GPL-3.0', 'proprietary'])[1 + i % 3]
  FROM generate_series(1, 100) i;
ANALYZE;
"""


def test_share_keys_oauth_subjects_and_licence_keys_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.shared_links", "key") == "hash", text
    assert rule_of(text, "public.shared_links", "type") == "keep"
    assert strategy_of(text, "public.users", "oauthId") == "forms", text
    assert "licenseKey" in str(rule_of(text, "public.system_metadata", "value")), text
    assert rule_of(text, "public.tags", "key") == "keep"
    assert rule_of(text, "public.tags", "license_type") == "keep"
    with psycopg.connect(dsn) as conn:
        keys = [k for (k,) in conn.execute("SELECT key FROM shared_links")]
        subjects = [s for (s,) in conn.execute('SELECT "oauthId" FROM users ORDER BY id')]
        licence = conn.execute("SELECT value FROM system_metadata WHERE key = 'license'").fetchone()
        version = conn.execute(
            "SELECT value->>'releaseVersion' FROM system_metadata WHERE key = 'version-check-state'"
        ).fetchone()
    originals = {bytes.fromhex(_md5(f"k{i}") + _md5(f"kk{i}")) for i in range(1, 101)}
    assert not originals & {bytes(k) for k in keys} and len(set(map(bytes, keys))) == 100
    assert subjects.count("") == 27  # no OAuth login: still none
    numbers = [s for s in subjects if s.isdigit()]
    assert len(numbers) == 26 and not any(s.startswith("1000000000") for s in numbers)
    uuids = [s for s in subjects if re.fullmatch(r"[0-9a-f-]{36}", s)]
    assert len(uuids) == 27
    assert not {_uuid(f"sub{i}") for i in range(1, 81)} & set(uuids)
    assert licence is not None and "IMSV-ABCD" not in str(licence[0])
    assert "eyJhbGciOiJFZERTQSJ9" not in str(licence[0])
    assert licence[0]["activatedAt"] == "2024-06-01T10:00:00Z"
    assert version == ("v1.112.1",)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _uuid(text: str) -> str:
    h = _md5(text)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
