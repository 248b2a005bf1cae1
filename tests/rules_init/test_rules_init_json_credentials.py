"""Second factors inside JSON: Logto's users.mfa_verifications kept every TOTP seed,
backup code and WebAuthn credential (`key`, `code`, `credentialId` name a credential
only in a table of second factors). In a column named for second factors, under a key
naming one, or in an object whose `type` names one, they are masked in shape: a seed
stays base32 of its length, a backup code a code of its shape. The same keys in a
webhook config (`{"type": "webhook", "key": ..., "id": ...}`) stay kept."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of


def _seed(n: int) -> str:
    return base64.b32encode(hashlib.sha1(str(n).encode()).digest()).decode()


def _factors(n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    if n % 2:
        out.append({"id": f"f{n}t", "type": "Totp", "key": _seed(n), "createdAt": "2026-01-18"})
    if n % 3 == 0:
        codes = [{"code": f"{n * 7919 + i:010x}", "usedAt": None} for i in range(10)]
        out.append({"id": f"f{n}b", "type": "BackupCode", "codes": codes})
    if n % 5 == 0:
        cred = base64.urlsafe_b64encode(n.to_bytes(4, "big") * 8).decode().rstrip("=")
        out.append({"id": f"f{n}w", "type": "WebAuthn", "credentialId": cred, "counter": 3})
    return out


def _schema() -> str:
    rows = []
    for n in range(1, 241):
        factors = json.dumps(_factors(n)).replace("'", "''")
        # a user's settings: an authenticator app's seed under `mfa`, a webhook's config
        settings = {
            "mfa": {"key": _seed(n + 1000)} if n % 4 == 0 else {},
            **({"totpSecret": _seed(n + 2000)} if n % 4 == 1 else {}),  # found by its name
            "hooks": [{"type": "webhook", "key": f"orders-{n % 3}", "id": n % 7}],
        }
        rows.append(f"({n}, '{factors}', '{json.dumps(settings)}')")
    return f"""
CREATE TABLE users (id int PRIMARY KEY, mfa_verifications jsonb NOT NULL DEFAULT '[]',
  settings jsonb);
INSERT INTO users VALUES {", ".join(rows)};
CREATE TABLE integrations (id int PRIMARY KEY, config jsonb);
INSERT INTO integrations SELECT g, jsonb_build_object('type', 'webhook',
  'key', 'k' || (g * 7919) || 'Zx', 'id', g, 'code', 'ORD' || lpad(g::text, 6, '0'))
  FROM generate_series(1, 100) g;
"""


def test_second_factor_secrets_masked_in_shape(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, _schema())
    paths = rule_of(text, "public.users", "mfa_verifications")["paths"]
    assert paths["*.key"] == {"strategy": "hash", "alphabet": "base32"}, text
    assert paths["*.codes.*.code"] == {"strategy": "digits", "letters": True}, text
    assert "*.credentialId" in paths, text
    assert not {p for p in paths if p.endswith((".id", ".type", ".counter"))}, paths
    assert rule_of(text, "public.users", "settings")["paths"] == {
        "mfa.key": {"strategy": "hash", "alphabet": "base32"},
        "totpSecret": {"strategy": "hash", "alphabet": "base32"},
    }, text
    assert strategy_of(text, "public.integrations", "config") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, mfa_verifications, settings FROM users ORDER BY id"
        ).fetchall()
        configs = conn.execute("SELECT id, config FROM integrations ORDER BY id").fetchall()
    seeds = codes = creds = 0
    for n, factors, settings in rows:
        before = {f["type"]: f for f in _factors(n)}
        after = {f["type"]: f for f in factors}  # still parsed as JSON, types kept
        assert after.keys() == before.keys(), (before, after)
        if "Totp" in before:
            key = after["Totp"]["key"]
            assert key != before["Totp"]["key"] and len(key) == len(before["Totp"]["key"])
            base64.b32decode(key)  # an authenticator app still reads it
            assert after["Totp"]["id"] == before["Totp"]["id"]
            seeds += 1
        if "BackupCode" in before:
            pairs = zip(before["BackupCode"]["codes"], after["BackupCode"]["codes"], strict=True)
            for old, new in pairs:
                assert new["code"] != old["code"] and len(new["code"]) == len(old["code"])
                codes += 1
        if "WebAuthn" in before:
            assert after["WebAuthn"]["credentialId"] != before["WebAuthn"]["credentialId"]
            assert after["WebAuthn"]["counter"] == 3
            creds += 1
        if n % 4 == 0:
            assert settings["mfa"]["key"] != _seed(n + 1000), settings
            base64.b32decode(settings["mfa"]["key"])
        if n % 4 == 1:
            assert settings["totpSecret"] != _seed(n + 2000)
            base64.b32decode(settings["totpSecret"])
        assert settings["hooks"] == [{"type": "webhook", "key": f"orders-{n % 3}", "id": n % 7}]
    assert seeds == 120 and codes == 800 and creds == 48
    for n, config in configs:  # no second factor: kept
        assert config == {
            "type": "webhook",
            "key": f"k{n * 7919}Zx",
            "id": n,
            "code": f"ORD{n:06d}",
        }
