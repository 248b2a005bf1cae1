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


# Settings and app config beside second factors (a regression tester's decoys): one
# notification template of type 'mfa_reminder' among 1,000 made every document's `key`,
# `code` and `value` hashed; a tenant's MFA settings [{"key": "period", "value": "30"}]
# got their labels masked as backup codes. None of it is a secret: kept.
_DECOYS = {
    "notification_templates": (
        1000,
        """jsonb_build_object('type', (array['webhook','email_template','sms_template'])[1+i%3],
  'key', 'orders.'||(array['created','paid','shipped'])[1+i%3]||'.v'||(i%4),
  'code', 'WH'||lpad(i::text,4,'0'), 'value', 'tpl-'||(i%20),
  'url', 'https://hooks.shopapp.example/v1/'||i)""",
    ),
    "tenants": (
        400,
        """jsonb_build_array(jsonb_build_object('key','period','value',(30*(1+i%2))::text),
  jsonb_build_object('key','digits','value',(6+2*(i%2))::text),
  jsonb_build_object('key','issuer','value','ShopApp'),
  jsonb_build_object('key','window_v2','value','1'))""",
    ),
    "integrations": (
        800,
        """CASE i % 3
 WHEN 0 THEN jsonb_build_object('type','webhook','key','orders.'||(i%3),
   'code','WH'||lpad(i::text,4,'0'), 'id', 100000+i, 'signing',
   jsonb_build_object('type','hmac-sha256','key','k'||(i%7)||'-2024','tolerance_s',300))
 WHEN 1 THEN jsonb_build_object('type','mfa','key','grace_period_days',
   'value',(7+i%3*7)::text, 'method','totp','code','POL-'||i,
   'settings', jsonb_build_object('method','totp','digits','6','period','30'))
 ELSE jsonb_build_object('type','feature_flag','key','ff_'||i,'id','FF-'||i,
   'value','v2.'||(i%9),'code',upper(substr(md5(i::text),1,8))) END""",
    ),
}
_COLUMNS = {"notification_templates": "body", "tenants": "mfa_config", "integrations": "config"}


def _decoy_schema() -> str:
    out = []
    for table, (rows, doc) in _DECOYS.items():
        column = _COLUMNS[table]
        out.append(
            f"CREATE TABLE {table} (id int PRIMARY KEY, {column} jsonb NOT NULL);"
            f"INSERT INTO {table} SELECT i, {doc} FROM generate_series(1, {rows}) i;"
        )
    out.append(
        'INSERT INTO notification_templates VALUES (1001, \'{"type": "mfa_reminder", '
        '"key": "mfa.reminder.v2", "code": "TPL-2FA-1", "value": "Please enable 2FA"}\');'
    )
    return "\n".join(out)


def _profile(n: int) -> dict[str, object]:
    """A user's profile listing an authenticator app's seed beside webhooks."""
    hooks: list[dict[str, object]] = [
        {"type": "webhook", "key": f"orders.paid.v{n % 4}", "code": f"WH{n:04d}", "value": "v2"}
    ]
    if n % 2:
        hooks.append({"type": "Totp", "key": _seed(n), "id": f"t{n}"})
    return {"integrations": hooks}


def test_settings_beside_second_factors_kept(make_db, tmp_path: Path) -> None:
    rows = ", ".join(f"({n}, '{json.dumps(_profile(n))}')" for n in range(1, 201))
    schema = f"{_decoy_schema()}\nCREATE TABLE profiles (id int PRIMARY KEY, doc jsonb);"
    dsn, text = generate_then_mask(
        make_db, tmp_path, f"{schema}\nINSERT INTO profiles VALUES {rows};"
    )
    for table, column in _COLUMNS.items():
        assert strategy_of(text, f"public.{table}", column) == "keep", text
    # the seed is masked in the Totp objects only, as their type says
    assert rule_of(text, "public.profiles", "doc")["paths"] == {
        "integrations.[type=Totp].key": {"strategy": "hash", "alphabet": "base32"}
    }, text
    with psycopg.connect(dsn) as conn:
        for table, (count, doc) in _DECOYS.items():
            changed = conn.execute(
                f"SELECT count(*) FROM {table} t JOIN (SELECT i, {doc} AS doc"
                f" FROM generate_series(1, {count}) i) e ON e.i = t.id"
                f" WHERE t.{_COLUMNS[table]} <> e.doc"
            ).fetchone()
            assert changed == (0,), table
        reminder = conn.execute("SELECT body FROM notification_templates WHERE id = 1001")
        assert reminder.fetchone() == (
            {
                "type": "mfa_reminder",
                "key": "mfa.reminder.v2",
                "code": "TPL-2FA-1",
                "value": "Please enable 2FA",
            },
        )
        profiles = conn.execute("SELECT id, doc FROM profiles ORDER BY id").fetchall()
    for n, doc in profiles:
        before, after = _profile(n)["integrations"], doc["integrations"]
        assert after[0] == before[0]  # the webhook kept
        if n % 2:
            assert after[1]["key"] != before[1]["key"] and after[1]["id"] == f"t{n}"
            base64.b32decode(after[1]["key"])
