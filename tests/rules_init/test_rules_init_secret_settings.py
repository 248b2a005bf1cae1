"""Secrets `rules init` kept: second factors' seeds under a generic `key` (django-otp's
otp_totp_totpdevice, WebAuthn devices), and a settings table's secrets stored as jsonb
documents that are one string (Listmonk's settings: the AWS secret and SendGrid key
kept, only `*.password` of the smtp objects masked). And a JSON `long` beside a masked
`lat` was kept, the `lat` coming out with 22 decimals (a date format's `long` is no
coordinate); both now go to a 0.1-degree grid."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

SECOND_FACTORS = """
CREATE TABLE otp_totp_totpdevice (id serial PRIMARY KEY, user_id int NOT NULL,
    name varchar(64) NOT NULL, key varchar(80) NOT NULL, digits int NOT NULL DEFAULT 6);
INSERT INTO otp_totp_totpdevice (user_id, name, key) SELECT g, 'default',
    left(encode(sha256(g::text::bytea), 'hex'), 40) FROM generate_series(1, 50) g;
CREATE TABLE authentik_stages_authenticator_webauthn_webauthndevice (id serial PRIMARY KEY,
    name text NOT NULL, credential_id text NOT NULL, public_key text NOT NULL,
    sign_count int NOT NULL);
INSERT INTO authentik_stages_authenticator_webauthn_webauthndevice
    (name, credential_id, public_key, sign_count)
  SELECT 'key ' || g, encode(sha256(('c' || g)::bytea), 'base64'),
    encode(sha256(('p' || g)::bytea), 'base64'), g FROM generate_series(1, 50) g;
"""


def test_second_factor_seeds_are_hashed(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SECOND_FACTORS)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    assert strategy_of(text, "public.otp_totp_totpdevice", "key") == "hash"
    assert strategy_of(text, "public.otp_totp_totpdevice", "name") == "keep"
    webauthn = "public.authentik_stages_authenticator_webauthn_webauthndevice"
    assert strategy_of(text, webauthn, "credential_id") == "hash"
    assert strategy_of(text, webauthn, "public_key") == "hash"
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*), max(length(key)) FROM otp_totp_totpdevice"
            " WHERE key = left(encode(sha256(user_id::text::bytea), 'hex'), 40)"
        ).fetchone()
        lengths = conn.execute("SELECT min(length(key)), max(length(key)) FROM otp_totp_totpdevice")
        assert lengths.fetchone() == (32, 32)  # still hex, fits varchar(80)
    assert kept == (0, None)


SETTINGS = """
CREATE TABLE settings (key text NOT NULL UNIQUE, value jsonb NOT NULL DEFAULT '{}');
INSERT INTO settings VALUES ('app.root_url', '"https://lists.example.com"'),
 ('upload.s3.aws_secret_access_key', '"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'),
 ('bounce.sendgrid_key', '"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"'),
 ('bounce.mailgun_key', '"key-3ax6xnjp29jd6fds4gc373sgvjxteol0"'),
 ('security.captcha_key', '""'),
 ('app.notify_emails', '["ops@example.com"]'),
 ('app.concurrency', '10'),
 ('smtp', '[{"host": "smtp.example.com", "username": "postmaster", "password": "hunter2hunter2"}]');
CREATE TABLE app_settings (name text PRIMARY KEY, value jsonb);
INSERT INTO app_settings VALUES ('site_title', '"Acme"'), ('smtp_password', '"s3cr3t-Pa55word"'),
 ('github_token', '"ghp_16C7e42F292c6912E7710c838347Ae178B4a"'), ('theme', '{"dark": true}');
CREATE TABLE hooks (id int PRIMARY KEY, label jsonb NOT NULL, target jsonb);
INSERT INTO hooks SELECT g, to_jsonb('hook ' || g), to_jsonb('SG.' || left(md5(g::text), 22)
    || '.' || md5('s' || g) || 'Xk9') FROM generate_series(1, 30) g;
"""


def test_secret_strings_of_a_json_settings_table_are_hashed(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SETTINGS)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    rule = rule_of(text, "public.settings", "value")
    assert rule["strategy"] == "switch" and rule["by"] == "key", rule
    cases = rule["cases"]
    for secret in ("upload.s3.aws_secret_access_key", "bounce.sendgrid_key", "bounce.mailgun_key"):
        assert cases[secret] == "hash", cases
    assert "app.root_url" not in cases and "app.concurrency" not in cases
    assert cases["smtp"]["paths"]["*.password"] == "hash"
    assert strategy_of(text, "public.settings", "key") == "keep"
    other = rule_of(text, "public.app_settings", "value")
    assert set(other["cases"]) == {"smtp_password", "github_token"}, other
    assert strategy_of(text, "public.hooks", "target") == "hash"  # a column of them
    assert strategy_of(text, "public.hooks", "label") == "keep"
    with psycopg.connect(dsn) as conn:
        hooks = conn.execute(
            "SELECT count(*) FILTER (WHERE target #>> '{}' LIKE 'SG.%'),"
            " count(*) FILTER (WHERE label = to_jsonb('hook ' || id)) FROM hooks"
        ).fetchone()
        assert hooks == (0, 30)
        rows = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        others = dict(conn.execute("SELECT name, value FROM app_settings").fetchall())
    assert rows["app.root_url"] == "https://lists.example.com"
    assert rows["app.concurrency"] == 10 and rows["security.captcha_key"] == ""
    for secret in ("upload.s3.aws_secret_access_key", "bounce.sendgrid_key", "bounce.mailgun_key"):
        assert isinstance(rows[secret], str) and len(rows[secret]) == 32, rows[secret]
    assert rows["smtp"][0]["host"] == "smtp.example.com"
    assert rows["smtp"][0]["password"] != "hunter2hunter2"
    assert rows["app.notify_emails"] != ["ops@example.com"]
    assert others["site_title"] == "Acme" and others["theme"] == {"dark": True}
    assert others["smtp_password"] != "s3cr3t-Pa55word"
    assert not others["github_token"].startswith("ghp_")
    dumped = repr(rows) + repr(others)
    for original in ("wJalrXUtnFEMI", "SG.ngeV", "key-3ax6", "hunter2", "s3cr3t", "ghp_"):
        assert original not in dumped


PLACES = """
CREATE TABLE places (id int PRIMARY KEY, info jsonb NOT NULL);
INSERT INTO places SELECT g, jsonb_build_object('name', 'x', 'format',
    jsonb_build_object('long', 'dddd, MMMM D', 'short', 'D/M'), 'geo', jsonb_build_object(
    'lat', round((g * 1.234567 - 40)::numeric, 6), 'long', round((g * 2.345678 - 90)::numeric, 6)))
  FROM generate_series(1, 50) g;
"""


def test_json_longitude_masked_keeping_its_decimals(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, PLACES)
    paths = rule_of(text, "public.places", "info")["paths"]
    assert paths["geo.long"]["strategy"] == paths["geo.lat"]["strategy"] == "generalize", paths
    assert "format.long" not in paths  # a date format, no coordinate
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, info #>> '{geo,lat}', info #>> '{geo,long}' FROM places"
        ).fetchall()
        formats = conn.execute("SELECT DISTINCT info #>> '{format,long}' FROM places")
        assert formats.fetchall() == [("dddd, MMMM D",)]
    for id_, lat, long in rows:
        assert Decimal(long) != round(Decimal(id_) * Decimal("2.345678") - 90, 6)
        assert Decimal(lat) != round(Decimal(id_) * Decimal("1.234567") - 40, 6)
        for number in (lat, long):
            decimals = len(number.partition(".")[2])
            assert decimals <= 1, number
