"""Axon's token_entry.token: bytea holding an event processor's tracking token as XML,
`<GlobalSequenceTrackingToken><globalIndex>934</globalIndex>...`. Named `token`, it got
`hash`, and the processor could no longer read its place. Documents of positions are
kept (a REVIEW note says why); real tokens under the same name, random strings, hex,
JWTs, or documents carrying them, stay masked."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.position_tokens import positions

from .helpers import comment_of, generate_then_mask, strategy_of

GLOBAL = "org.axonframework.eventhandling.GlobalSequenceTrackingToken"
GAPS = "org.axonframework.eventhandling.GapAwareTrackingToken"
SCHEMA = f"""
CREATE TABLE token_entry (processor_name varchar(255) NOT NULL, segment integer NOT NULL,
  owner varchar(255), timestamp varchar(255) NOT NULL, token bytea,
  token_type varchar(255), PRIMARY KEY (processor_name, segment));
INSERT INTO token_entry SELECT 'com.acme.customer.query', s, '1@axon-7f9c',
  '2026-11-20T10:00:00Z', convert_to('<{GLOBAL}><globalIndex>' || (900 + s)
  || '</globalIndex></{GLOBAL}>', 'UTF8'), '{GLOBAL}' FROM generate_series(0, 3) s;
INSERT INTO token_entry SELECT 'com.acme.billing.saga', s, NULL, '2026-11-20T10:00:00Z',
  convert_to('<{GAPS}><index>' || (1200 + s) || '</index><gaps class="java.util.'
  || 'concurrent.ConcurrentSkipListSet"><long>' || (1100 + s) || '</long></gaps></{GAPS}>',
  'UTF8'), '{GAPS}' FROM generate_series(0, 1) s;
CREATE TABLE api_token (id serial PRIMARY KEY, token bytea NOT NULL);
INSERT INTO api_token (token) SELECT convert_to(md5(i::text) || md5((i * 7)::text), 'UTF8')
  FROM generate_series(1, 20) i;
CREATE TABLE oauth_token (id serial PRIMARY KEY, token bytea NOT NULL);
INSERT INTO oauth_token (token) SELECT convert_to('{{"access_token": "eyJhbGciOiJIUzI1NiJ9.'
  || 'eyJzdWIiOiI' || i || 'In0.' || md5(i::text) || '", "expires_in": 3600}}', 'UTF8')
  FROM generate_series(1, 20) i;
ANALYZE;
"""


def test_tracking_tokens_are_kept_real_tokens_hashed(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.token_entry", "token") == "keep", text
    assert "documents of positions" in comment_of(text, "public.token_entry", "token")
    assert strategy_of(text, "public.api_token", "token") != "keep", text
    assert strategy_of(text, "public.oauth_token", "token") != "keep", text
    with psycopg.connect(dsn) as conn:
        read = conn.execute(
            "SELECT count(*) FROM token_entry WHERE convert_from(token, 'UTF8') "
            "~ '<(globalIndex|index)>[0-9]+</'"
        ).fetchone()
    assert read == (6,)


def test_documents_of_positions() -> None:
    assert positions(['{"globalIndex": 934}', '{"lsn": 23812, "txId": 561, "ts_usec": 1}'])
    assert positions([f"<?xml version='1.0'?><{GLOBAL}><globalIndex>3</globalIndex></{GLOBAL}>"])
    # a secret inside, a secret's key, no number, or no document: no position
    assert positions(['{"id": "3f2a9b0c1d5e", "n": 1}']) is None
    assert positions(['{"refresh_token": 1234, "n": 1}']) is None
    assert positions(['{"password": "sunshine", "n": 1}']) is None
    assert positions(['{"kind": "global"}']) is None
    assert positions(["<token>eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig</token>"]) is None
    assert positions(["a1b2c3d4e5f6a7b8"]) is None


# the number in the document IS the secret: an OTP, a reset nonce, a pairing PIN
SECRETS = """
CREATE TABLE otp_tokens (id serial PRIMARY KEY, user_id int, token text);
INSERT INTO otp_tokens (user_id, token) SELECT g, '<otp><code>' || (100000 + (g * 7919)
  % 900000) || '</code><attempts>' || g % 3 || '</attempts></otp>'
  FROM generate_series(1, 40) g;
CREATE TABLE reset_tokens (id serial PRIMARY KEY, token text);
INSERT INTO reset_tokens (token) SELECT '<reset><nonce>' || (10000000 + (g * 104729)
  % 90000000) || '</nonce><ttl>3600</ttl></reset>' FROM generate_series(1, 40) g;
CREATE TABLE device_tokens (id serial PRIMARY KEY, device text, token bytea);
INSERT INTO device_tokens (device, token) SELECT 'dev-' || g, convert_to('<pairing pin="'
  || lpad(((g * 7331) % 10000)::text, 4, '0') || '" slot="' || g % 4 || '"/>', 'UTF8')
  FROM generate_series(1, 40) g;
ANALYZE;
"""


def test_numbers_that_are_secrets_stay_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SECRETS)
    for table in ("otp_tokens", "reset_tokens", "device_tokens"):
        assert strategy_of(text, f"public.{table}", "token") != "keep", text
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM otp_tokens WHERE token LIKE '<otp><code>%'),"
            " (SELECT count(*) FROM device_tokens WHERE token::text LIKE '%pin=%')"
        ).fetchone()
    assert left == (0, 0)


def test_a_document_must_name_a_position() -> None:
    assert positions(["<otp><code>483921</code><attempts>1</attempts></otp>"]) is None
    assert positions(["<reset><nonce>83920184</nonce><ttl>3600</ttl></reset>"]) is None
    assert positions(['<pairing pin="4821" slot="1"/>']) is None
    assert positions(['{"attempts": 2, "ttl": 60}']) is None  # no position named
    assert positions(['{"offset": 12, "pin": 4821}']) is None  # a position and a secret
    assert positions(['{"partition": 0, "offset": 1234}'])
