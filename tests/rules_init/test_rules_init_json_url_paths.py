"""Column detectors at JSON paths: URLs carrying an address in a query parameter,
file names in URLs, messenger handles, US ZIP codes, a magnet link's file name. Each
was masked or kept at a JSON path unlike the column of the same values: n8n's node
URLs got `lorem` (no URL left), Medusa's label URLs and Instagram handles were kept,
5-digit ZIPs became 'N11 1PU', PeerTube's magnet links got `lorem`."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['anna','peter','lena','maria','jonas','clara','lukas','sofia','tim','eva']"
LAST = "ARRAY['smith','meyer','schmidt','fischer','weber','wagner','becker','hoffmann']"

N8N = f"""
CREATE TABLE workflow_entity (id varchar(36) PRIMARY KEY, name varchar(128) NOT NULL,
  nodes json NOT NULL);
INSERT INTO workflow_entity
  SELECT 'wf' || i, 'Sync contact ' || i, json_build_array(
    json_build_object('name', 'Start', 'type', 'n8n-nodes-base.start', 'parameters', '{{}}'::json),
    json_build_object('name', 'HTTP Request', 'type', 'n8n-nodes-base.httpRequest',
      'parameters', json_build_object('url',
        'https://api.hubspot.com/crm/v3/objects/contacts?email='
        || ({FIRST})[1 + i % 10] || '.' || ({LAST})[1 + i % 8] || i || '@gmail.com&limit=1')))
  FROM generate_series(1, 60) i;
ANALYZE;
"""


def test_an_address_in_a_json_urls_query_is_masked_the_url_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, N8N)
    rule = rule_of(text, "public.workflow_entity", "nodes")
    assert rule["strategy"] == "jsonb", text
    assert {str(r) for r in rule["paths"].values()} == {"url_query"}, rule
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            r"""SELECT count(*) FILTER (WHERE nodes->1->'parameters'->>'url' ~
                 '^https://api\.hubspot\.com/crm/v3/objects/contacts\?email=u[0-9a-f]{16}%40example\.invalid&limit=1$'),
               count(*) FILTER (WHERE nodes::text ~ 'gmail|smith|meyer')
            FROM workflow_entity"""
        ).fetchone()
    assert counts == (60, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


MEDUSA = f"""
CREATE TABLE customer (id varchar PRIMARY KEY, email varchar, metadata jsonb);
CREATE TABLE fulfillment (id varchar PRIMARY KEY, customer_id varchar, data jsonb);
INSERT INTO customer
  SELECT 'cus_' || i, 'c' || i || '@example.com', jsonb_build_object('instagram',
    '@' || ({FIRST})[1 + i % 10] || ({LAST})[1 + i % 8] || i, 'newsletter', 'weekly')
  FROM generate_series(1, 60) i;
INSERT INTO fulfillment
  SELECT 'ful_' || i, 'cus_' || i, jsonb_build_object('label_url',
    'https://labels.example.com/' || ({FIRST})[1 + i % 10] || '-' || ({LAST})[1 + i % 8]
    || '-order_' || i || '.pdf', 'carrier', 'dhl')
  FROM generate_series(1, 60) i;
ANALYZE;
"""


def test_file_names_in_json_urls_and_handles_under_service_keys(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MEDUSA)
    label = rule_of(text, "public.fulfillment", "data")
    assert label["paths"] == {"label_url": "file_name"}, text
    handle = rule_of(text, "public.customer", "metadata")
    assert handle["paths"]["instagram"]["strategy"] == "hash", text
    with psycopg.connect(dsn) as conn:
        labels = conn.execute(
            r"""SELECT count(*) FILTER (WHERE data->>'label_url' ~
                 '^https://labels\.example\.com/[0-9a-f]{32}\.pdf$') FROM fulfillment"""
        ).fetchone()
        handles = conn.execute(
            r"""SELECT count(*) FILTER (WHERE metadata->>'instagram' ~ '^@u[0-9a-f]{12}$'),
                 count(*) FILTER (WHERE metadata->>'newsletter' = 'weekly') FROM customer"""
        ).fetchone()
    assert labels == (60,)
    assert handles == (60, 60)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


SALEOR = """
CREATE TABLE payment (id serial PRIMARY KEY, billing_details jsonb);
INSERT INTO payment (billing_details)
  SELECT jsonb_build_object('address', jsonb_build_object('country', 'US',
    'postal_code', lpad(((i * 7919) % 99999)::text, 5, '0'), 'line1', i || ' Main St'))
  FROM generate_series(1, 60) i;
ANALYZE;
"""


def test_digit_zip_codes_at_a_json_path_stay_digits(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SALEOR)
    paths = rule_of(text, "public.payment", "billing_details")["paths"]
    assert paths["address.postal_code"] == "digits", text
    assert "60 of 60 sampled values are 5 digits" in comment_of(
        text, "public.payment", "billing_details"
    )
    with psycopg.connect(dsn) as conn:
        zips = conn.execute(
            "SELECT count(*) FILTER (WHERE billing_details->'address'->>'postal_code' ~ "
            "'^[0-9]{5}$') FROM payment"
        ).fetchone()
    assert zips == (60,)


PEERTUBE = f"""
CREATE TABLE "videoImport" (id serial PRIMARY KEY, "magnetUri" varchar(2000));
INSERT INTO "videoImport" ("magnetUri")
  SELECT 'magnet:?xt=urn:btih:' || md5(i::text) || md5(i::text || 'x') || '&dn='
    || initcap(({FIRST})[1 + i % 10]) || '+' || initcap(({LAST})[1 + i % 8])
    || '+Wedding_' || (2000 + i) || '.mp4&tr=udp%3A%2F%2Ftracker.example.org%3A1337'
  FROM generate_series(1, 60) i;
ANALYZE;
"""


def test_only_a_magnet_links_file_name_is_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, PEERTUBE)
    assert strategy_of(text, "public.videoImport", "magnetUri") == "url_query", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            r"""SELECT count(*) FILTER (WHERE "magnetUri" ~ ('^magnet:\?xt=urn:btih:'
                 || md5(id::text) || md5(id::text || 'x') || '&dn=[0-9a-f]{16}'
                 || '&tr=udp%3A%2F%2Ftracker\.example\.org%3A1337$')) FROM "videoImport" """
        ).fetchone()
    assert counts == (60,)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
