"""Credentials in HTTP headers and URLs (a Saleor/Medusa model): a webhook's
custom_headers kept its 'Bearer ...' token (only X-Api-Key was hashed), a delivery
log's request/response headers in text kept the Authorization, Saleor-Signature and
Set-Cookie values, a target_url kept '?api_key=sk_live_...', and Stripe receipt URLs
(bearer links to a customer's receipt) were kept in payment.data."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE webhook_webhook (id serial PRIMARY KEY, name varchar(255),
  target_url varchar(255) NOT NULL, custom_headers jsonb);
INSERT INTO webhook_webhook (name, target_url, custom_headers)
  SELECT 'erp' || g, 'https://erp.example.com/hooks?api_key=sk_live_51Habc' || md5(g::text),
    jsonb_build_object('Authorization', 'Bearer ' || md5('t' || g), 'X-Api-Key', md5('k' || g))
  FROM generate_series(1, 5) g;
CREATE TABLE core_eventdeliveryattempt (id serial PRIMARY KEY, response_headers text,
  request_headers text, status varchar(255) NOT NULL);
INSERT INTO core_eventdeliveryattempt (response_headers, request_headers, status)
  SELECT json_build_object('Set-Cookie', 'sessionid=' || md5('c' || g))::text,
    json_build_object('Authorization', 'Bearer ' || md5('r' || g),
      'Saleor-Signature', md5('x' || g) || md5('y' || g), 'Content-Type', 'application/json')::text,
    'success'
  FROM generate_series(1, 20) g;
CREATE TABLE payment (id varchar PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO payment SELECT 'pay_' || g, jsonb_build_object('status', 'succeeded', 'charges',
  jsonb_build_object('data', jsonb_build_array(jsonb_build_object('receipt_url',
    CASE WHEN g % 2 = 0 THEN 'https://pay.stripe.com/receipts/acct_1Abc/ch_3N' || md5(g::text)
      || '/rcpt_' || md5('r' || g)
    ELSE 'https://pay.stripe.com/receipts/payment/' || translate(rtrim(encode(decode(
      md5('q' || g) || md5('z' || g), 'hex'), 'base64'), '='), '+/', '-_') END))))
  FROM generate_series(1, 20) g;
CREATE TABLE receipt (id serial PRIMARY KEY, url text NOT NULL);
INSERT INTO receipt (url) SELECT 'https://pay.example.com/r/rcpt_' || md5('p' || g)
  || '?sig=' || md5('s' || g) FROM generate_series(1, 20) g;
ANALYZE;
"""


def test_header_credentials_and_url_tokens_are_masked(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    headers = rule_of(text, "public.webhook_webhook", "custom_headers")["paths"]
    assert set(headers) == {"Authorization", "X-Api-Key"}, text
    request = rule_of(text, "public.core_eventdeliveryattempt", "request_headers")["paths"]
    assert set(request) == {"Authorization", "Saleor-Signature"}, text
    assert (
        "Set-Cookie"
        in rule_of(text, "public.core_eventdeliveryattempt", "response_headers")["paths"]
    )
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            """SELECT
                 (SELECT count(*) FROM webhook_webhook WHERE custom_headers::text ~ 'Bearer'
                    OR target_url ~ 'sk_live' OR target_url !~ '^https://erp.example.com/hooks\\?api_key=.'),
                 (SELECT count(*) FROM core_eventdeliveryattempt
                  WHERE request_headers ~ 'Bearer' OR response_headers ~ 'sessionid'
                    OR request_headers::jsonb ->> 'Content-Type' <> 'application/json'),
                 (SELECT count(*) FROM payment WHERE data::text ~ 'stripe.com'
                    OR data ->> 'status' <> 'succeeded')"""
        ).fetchone()
    assert kept == (0, 0, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def test_a_few_tokens_among_plain_urls_are_masked(make_db, tmp_path: Path) -> None:
    """One callback URL in twenty carrying `?token=` was too few for a detector: kept."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        """CREATE TABLE app_callback (id serial PRIMARY KEY, url text NOT NULL);
        INSERT INTO app_callback (url) SELECT CASE WHEN g % 20 = 0
          THEN 'https://partner.example.com/cb?order=' || g || '&token=' || md5(g::text)
          ELSE 'https://partner.example.com/orders/' || g END FROM generate_series(1, 200) g;
        ANALYZE;""",
    )
    assert rule_of(text, "public.app_callback", "url")["strategy"] == "sql", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(*) FILTER (WHERE url ~ '[0-9a-f]{32}'),
                 count(*) FILTER (WHERE url = 'https://partner.example.com/orders/' || id),
                 count(*) FILTER (WHERE url ~ '^https://partner.example.com/cb\\?order=\\d+&token=redacted')
               FROM app_callback"""
        ).fetchone()
    assert counts == (0, 190, 10)
