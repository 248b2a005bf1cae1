"""PEM private keys `rules init` kept (Akkoma's users.keys) or hashed into no key at all
(Lemmy's person.private_key, Misskey's user_keypair."privateKey"): the application
failed on its first signed federation request. They get `private_key`, a throwaway key
of the same kind that openssl still reads; public keys and certificates stay kept, and a
settings document's `private` PEM (Wiki.js's `certs`) is caught by its value."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from dbrefresh.strategies.throwaway_keys import KEYS, PASSPHRASE

from .helpers import generate_then_mask, rule_of, strategy_of


def _pem(label: str, seed: str) -> str:
    """A key-shaped PEM block in SQL (the armour, base64 lines of a digest)."""
    body = f"encode(sha512(('{seed}' || g)::bytea), 'base64')"
    return f"E'-----BEGIN {label}-----\\n' || {body} || E'\\n-----END {label}-----\\n'"


SCHEMA = f"""
CREATE TABLE users (id serial PRIMARY KEY, nickname text NOT NULL, keys text);
INSERT INTO users (nickname, keys) SELECT 'user' || g,
    CASE WHEN g % 5 = 0 THEN NULL ELSE {_pem("RSA PRIVATE KEY", "a")} END
  FROM generate_series(1, 60) g;
CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL, private_key text,
    public_key text NOT NULL);
INSERT INTO person (name, private_key, public_key) SELECT 'p' || g,
    {_pem("PRIVATE KEY", "l")}, {_pem("PUBLIC KEY", "L")} FROM generate_series(1, 60) g;
CREATE TABLE user_keypair ("userId" int PRIMARY KEY, "publicKey" varchar(4096) NOT NULL,
    "privateKey" varchar(4096) NOT NULL);
INSERT INTO user_keypair SELECT g, {_pem("PUBLIC KEY", "M")}, {_pem("PRIVATE KEY", "m")}
  FROM generate_series(1, 60) g;
CREATE TABLE tls_cert (id serial PRIMARY KEY, certificate text NOT NULL, chain text);
INSERT INTO tls_cert (certificate, chain) SELECT {_pem("CERTIFICATE", "c")},
    {_pem("CERTIFICATE", "d")} FROM generate_series(1, 60) g;
CREATE TABLE signing_keys (id serial PRIMARY KEY, pem text NOT NULL UNIQUE);
INSERT INTO signing_keys (pem) SELECT {_pem("EC PRIVATE KEY", "u")} FROM generate_series(1, 60) g;
CREATE TABLE app_settings (key text NOT NULL UNIQUE, value jsonb NOT NULL);
INSERT INTO app_settings VALUES ('app.root_url', '"https://lists.example.com"'),
 ('app.concurrency', '10'), ('app.jwt_key', to_jsonb(E'-----BEGIN PRIVATE KEY-----\nMIIEv'::text)),
 ('app.key_pub', to_jsonb(E'-----BEGIN PUBLIC KEY-----\nMIIB'::text)), ('app.tls_key', '""');
CREATE TABLE settings (key varchar(255) PRIMARY KEY, value json NOT NULL);
INSERT INTO settings VALUES ('company', '{{"v": "ACME"}}'), ('nav', '{{"mode": "MIXED"}}'),
 ('certs', '{{"jwk": {{"kty": "RSA"}}, "public": "-----BEGIN PUBLIC KEY-----\\nMIIB",
   "private": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA"}}');
"""


def test_private_keys_become_throwaway_keys_of_their_kind(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    assert strategy_of(text, "public.users", "keys") == "private_key"
    assert strategy_of(text, "public.person", "private_key") == "private_key"
    assert strategy_of(text, "public.user_keypair", "privateKey") == "private_key"
    # public keys and certificates are no secret: kept
    assert strategy_of(text, "public.person", "public_key") == "keep"
    assert strategy_of(text, "public.user_keypair", "publicKey") == "keep"
    assert strategy_of(text, "public.tls_cert", "certificate") == "keep"
    assert strategy_of(text, "public.tls_cert", "chain") == "keep"
    # one throwaway key for all would break the unique index: hashed
    assert strategy_of(text, "public.signing_keys", "pem") == "hash"
    with psycopg.connect(dsn) as conn:
        keys = conn.execute("SELECT DISTINCT keys FROM users").fetchall()
        person = conn.execute("SELECT DISTINCT private_key FROM person").fetchall()
        misskey = conn.execute('SELECT DISTINCT "privateKey" FROM user_keypair').fetchall()
        public = conn.execute("SELECT count(*) FROM person WHERE public_key ~ '^-----BEGIN P'")
        certs = conn.execute(
            "SELECT value->>'private', value->>'public' FROM settings WHERE key = 'certs'"
        ).fetchone()
    assert sorted(keys, key=str) == [(KEYS["RSA PRIVATE KEY"],), (None,)]
    assert person == misskey == [(KEYS["PRIVATE KEY"],)]
    assert public.fetchone() == (60,)
    assert certs == (KEYS["RSA PRIVATE KEY"], "-----BEGIN PUBLIC KEY-----\nMIIB")
    # a key/value table's document that is one JSON string: a key again, still JSON
    assert rule_of(text, "public.app_settings", "value")["cases"]["app.jwt_key"] == "private_key"
    with psycopg.connect(dsn) as conn:
        values = dict(conn.execute("SELECT key, value FROM app_settings").fetchall())
    assert values["app.jwt_key"] == KEYS["PRIVATE KEY"]
    assert values["app.key_pub"] == "-----BEGIN PUBLIC KEY-----\nMIIB"
    assert values["app.root_url"] == "https://lists.example.com"


def test_a_settings_row_the_sample_missed_gets_the_path_by_default(make_db, tmp_path: Path) -> None:
    """The `private` path is in the switch's jsonb default too: a `certs` row added
    after `rules init` (or one its sample missed) is masked."""
    _, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.settings", "value")
    assert rule["strategy"] == "switch", text
    assert rule["cases"]["certs"]["paths"]["private"] == "private_key"
    assert rule["default"]["paths"]["private"] == "private_key"
    assert "public" not in rule["default"]["paths"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
@pytest.mark.parametrize("label", sorted(KEYS))
def test_every_throwaway_key_parses(label: str, tmp_path: Path) -> None:
    """Each constant is a real key of its kind: the application can load it."""
    path = tmp_path / "key"
    path.write_text(KEYS[label], encoding="utf-8")
    path.chmod(0o600)
    if label == "OPENSSH PRIVATE KEY":
        if shutil.which("ssh-keygen") is None:
            pytest.skip("needs ssh-keygen")
        command = ["ssh-keygen", "-y", "-f", str(path)]
    else:
        command = ["openssl", "pkey", "-in", str(path), "-noout", "-passin", f"pass:{PASSPHRASE}"]
    subprocess.run(command, check=True, capture_output=True)


def test_text_mentioning_a_key_is_not_a_key() -> None:
    from dbrefresh.rules import pem_keys

    assert pem_keys.is_private_key("  -----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl")
    assert not pem_keys.is_private_key("-----BEGIN PUBLIC KEY-----\nMIIB")
    assert not pem_keys.is_private_key("-----BEGIN CERTIFICATE-----\nMIIB")
    assert not pem_keys.is_private_key("paste your -----BEGIN PRIVATE KEY----- here")
    assert pem_keys.reason(["-----BEGIN PUBLIC KEY-----\nx"] * 5) is None


# Throwaway keys made for this test (openssl genpkey / ecparam); nothing signs with them
ED25519_PKCS8 = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIKQwz/MhZewfvA+yKGNNynbxz1G+Vd6HqEEx2SL1pCU+
-----END PRIVATE KEY-----
"""
EC_P384 = """-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDCgYRLmaG70zrR7lIQY+SuWrBIVrozEqngK+xyP3j0LF9Us5tShByHC
lw8HXU3ZcR6gBwYFK4EEACKhZANiAAT4oFEw1Y4XJ9c6wVraZdGBcQlcJdWbV+SZ
VuM4igagD1vLCFbBHPcupMmZql0t7KU0erNI+DbpTl8AE2WkovH/oYEAQ0bZ3d+A
uBzMee1aicrvlbnNJcvQq5uKJQrgjIE=
-----END EC PRIVATE KEY-----
"""


def test_keys_no_throwaway_key_matches_are_hashed() -> None:
    """An Ed25519 or EC key in PKCS#8 became an RSA key, an EC P-384 key a P-256 one,
    and an application signing EdDSA or ES384 failed: such keys are hashed instead."""
    from dbrefresh.rules import pem_keys

    for key, algorithm in ((ED25519_PKCS8, "Ed25519"), (EC_P384, "EC, not P-256")):
        kind, why = pem_keys.found([key] * 5)
        assert kind == "secret"
        assert why is not None and algorithm in why
