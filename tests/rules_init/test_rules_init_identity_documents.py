"""A person's identity documents: Apache Fineract's m_client_identifier.document_key
(national ids '20985411', passports 'A0001234', under UNIQUE(document_key,
document_type_id)) was kept. It gets `digits` with `letters` and `unique`: every number
changed, its shape kept, the unique key intact; a `document_key` outside a table of
identifiers and the document type's labels stay as they are."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import identity_documents, pii

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE m_code_value (id int PRIMARY KEY, code_id int NOT NULL, code_value varchar(100));
INSERT INTO m_code_value VALUES (1, 1, 'Passport'), (2, 1, 'Id'), (3, 1, 'Drivers License');
CREATE TABLE m_client (id bigint PRIMARY KEY, firstname varchar(50));
INSERT INTO m_client SELECT g, 'Client' FROM generate_series(1, 100) g;
CREATE TABLE m_client_identifier (id bigint PRIMARY KEY,
  client_id bigint NOT NULL REFERENCES m_client,
  document_type_id int NOT NULL REFERENCES m_code_value, document_key varchar(50) NOT NULL,
  status int NOT NULL DEFAULT 200, description varchar(500),
  UNIQUE (document_key, document_type_id));
INSERT INTO m_client_identifier SELECT g, g, 2, (20000000 + (g * 7919) % 9999999)::text, 200,
  NULL FROM generate_series(1, 100) g;
INSERT INTO m_client_identifier SELECT 1000 + g, g, 1,
  chr(65 + g % 3) || lpad(((g * 104729) % 9999999)::text, 7, '0'), 200, 'Passport'
  FROM generate_series(1, 100, 3) g;
CREATE TABLE m_portfolio_command_source (id bigint PRIMARY KEY, action_name varchar(100),
  command_as_json text NOT NULL);
INSERT INTO m_portfolio_command_source SELECT g, 'CREATE', json_build_object('documentTypeId',
  '2', 'documentKey', (20000000 + (g * 7919) % 9999999)::text, 'status', 'ACTIVE')::text
  FROM generate_series(1, 100) g;
CREATE TABLE m_upload (id bigint PRIMARY KEY, payload text NOT NULL);
INSERT INTO m_upload SELECT g, json_build_object('documentKey', 'docs/2021/scan-' || g || '.pdf',
  'size', g)::text FROM generate_series(1, 30) g;
CREATE TABLE m_document (id int PRIMARY KEY, document_key varchar(100));
INSERT INTO m_document SELECT g, 'reports/2024/summary-' || g || '.pdf'
  FROM generate_series(1, 50) g;
"""


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("m_client_identifier", "document_key"),
        ("person_identity_document", "document_number"),
        ("customer_id_documents", "id_number"),
    ],
)
def test_a_document_number_in_a_table_of_identifiers_is_a_national_id(
    table: str, column: str
) -> None:
    found = pii.match_name(column, f"public.{table}")
    assert found is not None and found.kind == "national_id", found


@pytest.mark.parametrize(
    ("table", "column"),
    [("m_document", "document_key"), ("m_client_identifier", "document_type_id")],
)
def test_other_document_keys_are_none(table: str, column: str) -> None:
    assert pii.match_name(column, f"public.{table}") is None


def test_a_json_key_naming_a_document_number_holds_codes_only() -> None:
    assert identity_documents.json_key("documentKey", ["20985411", "A0001234"]) is not None
    assert identity_documents.json_key("documentKey", ["docs/2021/scan.pdf"]) is None
    assert identity_documents.json_key("key", ["20985411"]) is None


def test_identity_document_numbers_are_masked_shape_and_uniqueness_kept(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.m_client_identifier", "document_key") == {
        "strategy": "digits",
        "letters": True,
        "unique": True,
    }
    assert strategy_of(text, "public.m_document", "document_key") == "keep"
    assert strategy_of(text, "public.m_upload", "payload") == "keep"
    assert strategy_of(text, "public.m_code_value", "code_value") == "keep"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, document_key FROM m_client_identifier ORDER BY id"
        ).fetchall()
        labels = conn.execute("SELECT code_value FROM m_code_value ORDER BY id").fetchall()
    masked = dict(rows)
    originals = {g: str(20000000 + (g * 7919) % 9999999) for g in range(1, 101)}
    for g, original in originals.items():
        assert masked[g] != original and len(masked[g]) == 8 and masked[g].isdigit()
    passports = [v for k, v in masked.items() if k > 1000]
    assert all(v[0].isupper() and v[1:].isdigit() and len(v) == 8 for v in passports)
    assert len(set(masked.values())) == len(masked)
    assert [row[0] for row in labels] == ["Passport", "Id", "Drivers License"]
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM m_portfolio_command_source c JOIN m_client_identifier i"
            " ON i.document_key = c.command_as_json::json->>'documentKey'"
        ).fetchone()
        paths = conn.execute(
            "SELECT count(*) FROM m_upload"
            " WHERE payload::json->>'documentKey' = 'docs/2021/scan-' || id || '.pdf'"
        ).fetchone()
    assert joined == (100,) and paths == (30,)
