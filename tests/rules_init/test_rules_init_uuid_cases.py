"""Axon's saga associations: association_value_entry.association_value under
association_key 'customerId' holds the customer aggregate's id, a UUID equal to the
kept domain_event_entry.aggregate_identifier. rules init gave that case `digits` (a
field named for an id whose values are distinct codes: a person's register number),
'2d0f1718-afe1-...' became '8d9f2006-afe2-...', and 0 of 150 sagas joined their
aggregate. A UUID is no register number, and a masked case whose UUIDs are a kept
key's values is kept like the key."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.catalog import read_catalog
from dbrefresh.rules.eav_numbers import number_field
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.uuid_cases import keep_uuid_cases

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE domain_event_entry (global_index bigint PRIMARY KEY,
  event_identifier varchar(255) NOT NULL UNIQUE, payload_type varchar(255) NOT NULL,
  aggregate_identifier varchar(255) NOT NULL, sequence_number bigint NOT NULL,
  type varchar(255), CONSTRAINT uk_aggregate_seq UNIQUE (aggregate_identifier, sequence_number));
CREATE TABLE association_value_entry (id bigint PRIMARY KEY,
  association_key varchar(255) NOT NULL, association_value varchar(255),
  saga_id varchar(255) NOT NULL, saga_type varchar(255));
CREATE TEMP TABLE c AS SELECT i, gen_random_uuid()::text AS id FROM generate_series(1, 150) i;
INSERT INTO domain_event_entry SELECT i * 2 + s, gen_random_uuid()::text,
  'com.acme.CustomerRegisteredEvent', id, s, 'Customer'
  FROM c, generate_series(0, 1) s;
INSERT INTO association_value_entry
  SELECT i * 3 + k, (ARRAY['customerId', 'customerEmail', 'step'])[k + 1],
    CASE k WHEN 0 THEN id WHEN 1 THEN 'customer' || i || '@example.com'
      ELSE 'WELCOME_MAIL_SENT' END,
    md5(i::text), 'com.acme.customer.saga.OnboardingSaga'
  FROM c, generate_series(0, 2) k;
ANALYZE;
"""


def test_saga_associations_keep_the_aggregate_id(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.association_value_entry", "association_value")
    assert rule["strategy"] == "switch", text
    assert rule["cases"].get("customerId", "keep") == "keep", text
    assert rule["cases"]["customerEmail"] == "email", text
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM association_value_entry a WHERE association_key = "
            "'customerId' AND association_value IN "
            "(SELECT aggregate_identifier FROM domain_event_entry)"
        ).fetchone()
    assert joined == (150,)


def test_uuids_are_no_register_numbers() -> None:
    uuids = [
        "2d0f1718-afe1-4658-b28f-4b2da039a41c",
        "53a43200-9597-4ea6-bcf2-4b567fd70ef9",
        "010c793c-e54e-419b-8de0-a33de888be13",
        "7a3e7b52-2f6c-4b0e-9d55-0c1e5d2b7f10",
        "c0ffee00-1234-4abc-8def-0123456789ab",
    ]
    assert number_field("customerId", uuids) is None
    # a register's numbers still are (DHIS2's 'TB number')
    codes = ["TB-2021-1001", "TB-2021-1002", "TB-2021-1003", "TB-2021-1004", "TB-2021-1005"]
    assert number_field("TB number", codes) is not None


def test_a_masked_uuid_case_found_in_a_kept_key_is_kept(make_db) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT INTO association_value_entry SELECT 10000 + i, 'replyToken', "
            "gen_random_uuid()::text, md5(i::text), 'x' FROM generate_series(1, 50) i"
        )
        conn.execute("ANALYZE")
        catalog = read_catalog(conn)
        columns = {
            c: ColumnProposal(c) for c in catalog.tables["public.association_value_entry"].columns
        }
        cases = {"customerId": "digits", "customerEmail": "email", "replyToken": "hash"}
        columns["association_value"] = ColumnProposal(
            "association_value", "switch", {"by": "association_key", "cases": cases}
        )
        proposals = {
            "public.association_value_entry": columns,
            "public.domain_event_entry": {
                c: ColumnProposal(c) for c in catalog.tables["public.domain_event_entry"].columns
            },
        }
        keep_uuid_cases(conn, catalog, proposals, 1000)
    assert cases == {"customerId": "keep", "customerEmail": "email", "replyToken": "hash"}
    why = proposals["public.association_value_entry"]["association_value"].why
    assert any("public.domain_event_entry.aggregate_identifier" in w for w in why), why
