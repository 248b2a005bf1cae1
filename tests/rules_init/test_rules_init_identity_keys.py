"""Secrets and identifiers `rules init` kept beside ones it masked.

Wiki.js's authentication.config hashed `clientSecret` and kept
`cookieEncryptionKeyString` beside it; Grafana's user_auth.auth_id (a Google subject,
beside auth_module 'oauth_google') and Wiki.js's users."providerId" (GitHub ids) were
kept; Taiga's timeline `user.gravatar_id`, md5 of the original address, was kept; and
Canvas's pseudonyms.sis_user_id (the student's institutional id) and
communication_channels.confirmation_code (an email-confirmation secret) too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import email_digests, pii

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE authentication (key varchar(255) PRIMARY KEY, config json NOT NULL,
  "strategyKey" varchar(255) NOT NULL);
INSERT INTO authentication SELECT 'azure' || g, json_build_object('clientId', 'app' || g,
  'clientSecret', md5('s' || g), 'cookieEncryptionKeyString', md5('c' || g) || md5('d' || g),
  'signingKey', md5('k' || g), 'signingKeyAlgorithm', 'RS256', 'cookieSecure', 'true',
  'scope', 'openid profile email'), 'azure' FROM generate_series(1, 40) g;
CREATE TABLE user_auth (id serial PRIMARY KEY, user_id int NOT NULL,
  auth_module varchar(190) NOT NULL, auth_id varchar(190) NOT NULL);
INSERT INTO user_auth (user_id, auth_module, auth_id) SELECT g,
  CASE WHEN g % 4 = 1 THEN 'oauth_azuread' ELSE 'oauth_google' END,
  CASE WHEN g % 4 = 1 THEN md5(g::text)::uuid::text
    ELSE (100000000000000000000::numeric + g * 7919)::text END
  FROM generate_series(1, 200) g;
CREATE TABLE sso_auth (id serial PRIMARY KEY, user_id int NOT NULL,
  auth_module varchar(190) NOT NULL, auth_id varchar(190) NOT NULL);
INSERT INTO sso_auth (user_id, auth_module, auth_id) SELECT g,
  CASE WHEN g % 2 = 1 THEN 'ldap' ELSE 'oauth_google' END,
  CASE WHEN g % 2 = 1 THEN (ARRAY['anna', 'jan', 'maria', 'peter'])[1 + g % 4] || '.k' || g
    ELSE (100000000000000000000::numeric + g * 7919)::text END
  FROM generate_series(1, 200) g;
CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE,
  "providerKey" varchar(255) NOT NULL, "providerId" varchar(255));
INSERT INTO users (email, "providerKey", "providerId") SELECT
  'person' || g || '@mail.example',
  (ARRAY['local', 'github', 'azure'])[1 + g % 3],
  CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN (10000 + g * 7919)::text
    ELSE md5(g::text)::uuid::text END
  FROM generate_series(1, 300) g;
CREATE TABLE timeline_timeline (id serial PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO timeline_timeline (data) SELECT jsonb_build_object('user', jsonb_build_object(
  'id', g, 'gravatar_id', md5('person' || g || '@mail.example'), 'photo', NULL))
  FROM generate_series(1, 300) g;
CREATE TABLE profiles (id serial PRIMARY KEY, gravatar_hash text, gravatar text,
  content_hash text, email_hash text);
INSERT INTO profiles (gravatar_hash, gravatar, content_hash, email_hash) SELECT
  encode(sha256(('person' || g || '@mail.example')::bytea), 'hex'),
  (ARRAY['identicon', 'mp', 'retro'])[1 + g % 3], md5('content' || g), 'pending'
  FROM generate_series(1, 300) g;
CREATE TABLE pseudonyms (id serial PRIMARY KEY, unique_id varchar(255) NOT NULL,
  sis_user_id varchar(255), integration_id varchar(255));
INSERT INTO pseudonyms (unique_id, sis_user_id) SELECT 'login' || g,
  CASE WHEN g % 5 = 0 THEN NULL ELSE 'S' || (1000000 + g) END FROM generate_series(1, 300) g;
CREATE TABLE communication_channels (id serial PRIMARY KEY, path varchar(255) NOT NULL,
  confirmation_code varchar(255), confirmation_code_expires_at timestamp,
  verification_code_sent_at timestamp);
INSERT INTO communication_channels (path, confirmation_code) SELECT
  'person' || g || '@mail.example', encode(sha256(('c' || g)::bytea), 'base64')
  FROM generate_series(1, 300) g;
CREATE TABLE jobs (id serial PRIMARY KEY, auth_id varchar(64) NOT NULL, kind text);
INSERT INTO jobs (auth_id, kind) SELECT (100000 + g)::text, 'sync' FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_keys_ids_digests_and_codes_are_masked(make_db, tmp_path: Path) -> None:
    """One database for the four findings (generating rules is the slow part)."""
    masked = generate_then_mask(make_db, tmp_path, SCHEMA)
    _encryption_and_signing_keys_are_hashed_like_client_secrets(masked)
    _provider_subjects_beside_their_provider_get_forms(masked)
    _gravatar_ids_are_hashed_to_their_length(masked)
    _student_ids_keep_their_shape_and_confirmation_codes_are_hashed(masked)


def _encryption_and_signing_keys_are_hashed_like_client_secrets(masked: tuple[str, str]) -> None:
    dsn, text = masked
    paths = rule_of(text, "public.authentication", "config")["paths"]
    assert paths["cookieEncryptionKeyString"] == paths["clientSecret"] == "hash", paths
    assert paths["signingKey"] == "hash"
    assert not {"signingKeyAlgorithm", "cookieSecure", "scope", "clientId"} & set(paths)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM authentication WHERE config->>'cookieEncryptionKeyString'"
            " = md5('c' || substr(key, 6)) || md5('d' || substr(key, 6))"
            " OR config->>'signingKeyAlgorithm' <> 'RS256'"
        ).fetchone()
    assert kept == (0,)


def _provider_subjects_beside_their_provider_get_forms(masked: tuple[str, str]) -> None:
    dsn, text = masked
    assert strategy_of(text, "public.user_auth", "auth_id") == "forms"
    assert strategy_of(text, "public.users", "providerId") == "forms"
    assert strategy_of(text, "public.jobs", "auth_id") == "keep"  # no provider beside it
    with psycopg.connect(dsn) as conn:
        google = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE auth_id ~ '^[0-9]{21}$'), count(*) FILTER"
            " (WHERE auth_id = (100000000000000000000::numeric + user_id * 7919)::text)"
            " FROM user_auth WHERE auth_module = 'oauth_google'"
        ).fetchone()
        uuids = conn.execute(  # kept per the design: a UUID subject is looked up
            "SELECT count(*) FROM user_auth WHERE auth_module = 'oauth_azuread'"
            " AND auth_id = md5(user_id::text)::uuid::text"
        ).fetchone()
        github = conn.execute(
            """SELECT count(*) FILTER (WHERE "providerId" = (10000 + id * 7919)::text),"""
            """ count(*) FILTER (WHERE "providerId" IS NULL) FROM users"""
        ).fetchone()
    assert google == (150, 150, 0)
    assert uuids == (50,)
    # LDAP logins beside Google's subjects: hashed as usernames are, not kept
    assert rule_of(text, "public.sso_auth", "auth_id")["default"] == {
        "strategy": "hash",
        "prefix": "u",
    }
    with psycopg.connect(dsn) as conn:
        logins = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE auth_id ~ '^u[0-9a-f]{32}$')"
            " FROM sso_auth WHERE auth_module = 'ldap'"
        ).fetchone()
    assert logins == (100, 100)
    assert github == (0, 100)


def _gravatar_ids_are_hashed_to_their_length(masked: tuple[str, str]) -> None:
    dsn, text = masked
    paths = rule_of(text, "public.timeline_timeline", "data")["paths"]
    assert paths["user.gravatar_id"] == {"strategy": "hash", "length": 32}, paths
    assert rule_of(text, "public.profiles", "gravatar_hash") == {"strategy": "hash", "length": 64}
    for column in ("gravatar", "content_hash", "email_hash"):  # a style, a file's, no hex
        assert strategy_of(text, "public.profiles", column) == "keep", column
    originals = {hashlib.md5(f"person{g}@mail.example".encode()).hexdigest() for g in range(301)}
    with psycopg.connect(dsn) as conn:
        ids = [
            r[0] for r in conn.execute("SELECT data->'user'->>'gravatar_id' FROM timeline_timeline")
        ]
        sha = conn.execute(
            "SELECT count(*) FILTER (WHERE gravatar_hash ~ '^[0-9a-f]{64}$'), count(*) FILTER"
            " (WHERE gravatar_hash = encode(sha256(('person' || id || '@mail.example')::bytea),"
            " 'hex')) FROM profiles"
        ).fetchone()
    assert not originals & set(ids)
    assert all(len(i) == 32 for i in ids)
    assert sha == (300, 0)


def _student_ids_keep_their_shape_and_confirmation_codes_are_hashed(
    masked: tuple[str, str],
) -> None:
    dsn, text = masked
    assert strategy_of(text, "public.pseudonyms", "sis_user_id") == "digits"
    assert strategy_of(text, "public.communication_channels", "confirmation_code") == "hash"
    for column in ("confirmation_code_expires_at", "verification_code_sent_at"):
        assert strategy_of(text, "public.communication_channels", column) == "keep"
    with psycopg.connect(dsn) as conn:
        sis = conn.execute(
            "SELECT count(*) FILTER (WHERE sis_user_id ~ '^S[0-9]{7}$'), count(*) FILTER"
            " (WHERE sis_user_id = 'S' || (1000000 + id)) FROM pseudonyms"
        ).fetchone()
        codes = conn.execute(
            "SELECT count(*) FROM communication_channels"
            " WHERE confirmation_code = encode(sha256(('c' || id)::bytea), 'base64')"
        ).fetchone()
    assert sis == (240, 0)
    assert codes == (0,)


@pytest.mark.parametrize(
    "column",
    ["cookieEncryptionKeyString", "encryption_key", "jwtSigningKey", "hmac_secret",
     "master_key", "confirmation_code", "verificationCode", "otp_code", "cookie_secret",
     "api_key_file"],  # the key itself, 40 random hex: `file` says nothing here
)  # fmt: skip
def test_key_and_code_names_are_secrets(column: str) -> None:
    found = pii.match_name(column, "public.settings")
    assert found is not None and found.kind == "secret", column


@pytest.mark.parametrize(
    "column",
    ["encryption_key_id", "signing_key_algorithm", "encryption_key_version",
     "signing_key_fingerprint", "encryption_key_path", "confirmation_code_expires_at",
     "verification_code_sent_at", "cookie_secure", "course_code", "sis_source_id",
     "encryption_key_alias", "kms_key_arn"],  # what names a KMS key: 'alias/app-prod'
)  # fmt: skip
def test_names_about_keys_and_codes_are_not(column: str) -> None:
    assert pii.match_name(column, "public.settings") is None, column


def test_email_digest_names() -> None:
    for name in ("gravatar_id", "gravatarHash", "email_md5", "hashed_email", "gravatar"):
        assert email_digests.named(name), name
    for name in ("content_hash", "password_hash", "gravatar_url", "email", "file_md5"):
        assert not email_digests.named(name), name
