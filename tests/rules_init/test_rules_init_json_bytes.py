"""UTF-8 JSON kept in bytea beside other content. Camunda's act_ge_bytearray.bytes_ holds
JSON process variables, serialized Java objects (0xACED) and BPMN deployment XML: every
row was NULLed. Axon's domain_event_entry.payload holds JSON events beside XStream XML:
every row was emptied to no bytes. The documents are masked path by path now, and the
other values get what the bytea rules give them alone (kept when nothing personal)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, rule_of

NAMES = """
  LATERAL (SELECT (ARRAY['Anna', 'Jonas', 'Léa', 'Mateo', 'Sofia', 'Jörg'])[1 + i % 6] AS f,
    (ARRAY['Schmidt', 'Dubois', 'Kowalski', 'García', 'Rossi', 'Novak', 'Weiß'])[1 + i % 7] AS l) n
"""
CUSTOMER = """convert_to(jsonb_build_object('firstName', f, 'lastName', l,
    'email', lower(f) || '.' || lower(l) || i || '@mail.example',
    'address', jsonb_build_object('street', 'Lindenweg ' || i, 'zip', (10000 + i * 7)::text,
      'city', (ARRAY['München', 'Köln', 'Leipzig'])[1 + i % 3], 'country', 'DE'),
    'loanAmount', i * 1000)::text, 'UTF8')"""
BPMN = (
    'convert_to(\'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions id="Def_\' || i'
    ' || \'"><bpmn:process id="loan\' || i || \'" isExecutable="true"/></bpmn:definitions>\','
    " 'UTF8')"
)
JAVA = (
    "'\\xaced0005737200116a6176612e7574696c2e486173684d6170'::bytea"
    " || convert_to('t' || lower(f) || i || '@mail.example', 'UTF8')"
)
CAMUNDA = f"""
CREATE TABLE act_ge_bytearray (id_ varchar(64) PRIMARY KEY, rev_ integer,
  name_ varchar(255), deployment_id_ varchar(64), bytes_ bytea, generated_ boolean,
  tenant_id_ varchar(64), type_ integer, create_time_ timestamp);
INSERT INTO act_ge_bytearray
SELECT md5('b' || i), 1, CASE WHEN i % 10 = 0 THEN 'loan' || i || '.bpmn' END,
  CASE WHEN i % 10 = 0 THEN md5('d' || i) END,
  CASE WHEN i % 10 = 0 THEN {BPMN} WHEN i % 10 < 4 THEN {JAVA} ELSE {CUSTOMER} END,
  CASE WHEN i % 10 = 0 THEN false END, NULL, CASE WHEN i % 10 = 0 THEN 1 ELSE 3 END,
  '2024-01-05 08:00'::timestamp + i * interval '1 hour'
FROM generate_series(1, 400) i, {NAMES};
CREATE TABLE act_re_bytearray (id_ varchar(64) PRIMARY KEY, bytes_ bytea);
INSERT INTO act_re_bytearray
SELECT md5('r' || i), CASE WHEN i % 4 = 0 THEN {BPMN} ELSE {CUSTOMER} END
FROM generate_series(1, 200) i, {NAMES};
ANALYZE;
"""
XML_EVENT = (
    "convert_to('<com.acme.customer.api.CustomerCreatedEvent><email>' || lower(f) || i"
    " || '@mail.example</email><fullName>' || f || ' ' || l || '</fullName>"
    "</com.acme.customer.api.CustomerCreatedEvent>', 'UTF8')"
)
JSON_EVENT = """convert_to(jsonb_build_object('customerId', md5('a' || i)::uuid,
    'fullName', f || ' ' || l, 'email', lower(f) || i || '@mail.example',
    'phoneNumber', '+49 171 ' || (2000000 + i * 7))::text, 'UTF8')"""
AXON = f"""
CREATE TABLE domain_event_entry (global_index bigint PRIMARY KEY,
  event_identifier varchar(255) NOT NULL UNIQUE, meta_data bytea, payload bytea NOT NULL,
  payload_revision varchar(255), payload_type varchar(255) NOT NULL,
  time_stamp varchar(255) NOT NULL, aggregate_identifier varchar(255) NOT NULL,
  sequence_number bigint NOT NULL, type varchar(255));
INSERT INTO domain_event_entry
SELECT i, md5('e' || i)::uuid::text, NULL,
  CASE WHEN i % 2 = 0 THEN {XML_EVENT} ELSE {JSON_EVENT} END, NULL,
  'com.acme.customer.api.CustomerCreatedEvent', '2025-04-01T10:00:00Z', md5('a' || i), 0,
  'Customer'
FROM generate_series(1, 300) i, {NAMES};
ANALYZE;
"""


def _documents(conn: psycopg.Connection, query: str) -> list[dict]:
    return [json.loads(bytes(r[0]).decode("utf-8")) for r in conn.execute(query)]


def test_camunda_variables_are_masked_and_deployments_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, CAMUNDA)
    rule = rule_of(text, "public.act_ge_bytearray", "bytes_")
    assert rule["strategy"] == "jsonb" and rule["others"] == "null"  # Java objects: emails
    assert {"firstName", "lastName", "email", "address.street", "address.city"} <= set(
        rule["paths"]
    )
    note = comment_of(text, "public.act_ge_bytearray", "bytes_")
    assert "sampled values are UTF-8 JSON documents kept as bytea" in note
    assert "serialized Java objects (0xACED)" in note and "starting with '<'" in note
    mixed = rule_of(text, "public.act_re_bytearray", "bytes_")  # documents and BPMN alone
    assert mixed["strategy"] == "jsonb" and mixed["others"] == "keep"
    with psycopg.connect(dsn) as conn:
        docs = _documents(
            conn, "SELECT bytes_ FROM act_ge_bytearray WHERE get_byte(bytes_, 0) = 123"
        )
        assert len(docs) == 240 and not any("@mail.example" in json.dumps(d) for d in docs)
        assert {d["address"]["country"] for d in docs} == {"DE"}  # unlisted keys kept
        assert all(isinstance(d["loanAmount"], int) for d in docs)
        java = conn.execute(
            "SELECT count(bytes_) FROM act_ge_bytearray WHERE type_ = 3"
            " AND get_byte(bytes_, 0) <> 123"
        ).fetchone()
        assert java == (0,)  # serialized Java objects with addresses: emptied
        kept = conn.execute(
            "SELECT count(*) FILTER (WHERE convert_from(bytes_, 'UTF8') LIKE '<?xml%'),"
            " count(*) FILTER (WHERE position('@mail.example' in encode(bytes_, 'escape')) > 0)"
            " FROM act_re_bytearray"
        ).fetchone()
    assert kept == (50, 0)  # the BPMN deployments as they were, no address left
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def test_axon_json_and_xml_events_are_both_masked(make_db, tmp_path: Path) -> None:
    """Half the events are JSON, half XStream XML: the `xml` rule masks the XML ones
    element by element and hands the JSON ones to `others`, a `jsonb` rule over the
    decoded bytes (before either, the whole column was emptied)."""
    dsn, text = generate_then_mask(make_db, tmp_path, AXON)
    rule = rule_of(text, "public.domain_event_entry", "payload")
    assert rule["strategy"] == "xml", rule
    assert rule["others"]["strategy"] == "jsonb", rule
    assert {"fullName", "email", "phoneNumber"} <= set(rule["others"]["paths"]), rule
    with psycopg.connect(dsn) as conn:
        docs = _documents(conn, "SELECT payload FROM domain_event_entry WHERE global_index % 2 = 1")
        assert len(docs) == 150 and all(d["customerId"] and d["fullName"] for d in docs)
        assert not any("@mail.example" in json.dumps(d) for d in docs)
        xml_events = [
            bytes(p).decode()
            for (p,) in conn.execute(
                "SELECT payload FROM domain_event_entry WHERE global_index % 2 = 0"
            )
        ]
        assert len(xml_events) == 150 and all(e.startswith("<") for e in xml_events)
        assert not any("@mail.example" in e for e in xml_events)
        for event in xml_events[:5]:
            conn.execute("SELECT xmlparse(document %s)", (event,))
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    with psycopg.connect(dsn) as conn:  # the original events back: the leak check sees them
        conn.execute(
            f"UPDATE domain_event_entry SET payload = {JSON_EVENT}"
            f" FROM generate_series(1, 300) i, {NAMES} WHERE global_index = i AND i % 2 = 1"
        )
    leaks = verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    messages = [f.message for f in leaks if f.code == "leak"]
    assert any(m.startswith("public.domain_event_entry.payload") for m in messages), messages
