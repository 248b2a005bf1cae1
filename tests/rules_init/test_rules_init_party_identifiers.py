"""Tryton's party_identifier(type 'eu_vat'/'fr_siren'/'us_ssn'/'be_nn', code): random
codes became `lorem` ('DE444975498' -> 'same manage', which python-stdnum refuses) and
sequential ones were kept ('123450002', a US SSN). The code of a party's identifier is a
tax or national number: `digits`, its country prefix kept; a product's EAN in a
product_identifier, the identifier's type and the party's own code stay as they are."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE party_party (id serial PRIMARY KEY, name varchar, code varchar NOT NULL UNIQUE);
INSERT INTO party_party (name, code) SELECT 'P ' || g, g::text FROM generate_series(1, 300) g;
CREATE TABLE party_identifier (id serial PRIMARY KEY, party int NOT NULL REFERENCES party_party,
  type varchar, code varchar NOT NULL);
INSERT INTO party_identifier (party, type, code) SELECT g, (ARRAY['eu_vat', 'fr_siren',
  'us_ssn'])[1 + g % 3], CASE g % 3 WHEN 0 THEN 'DE' || (100000000 + g * 7919)
  WHEN 1 THEN (732829320 + g)::text ELSE (123450000 + g)::text END
  FROM generate_series(1, 300) g;
CREATE TABLE product_template (id serial PRIMARY KEY, name varchar);
INSERT INTO product_template (name) SELECT 'Widget ' || g FROM generate_series(1, 300) g;
CREATE TABLE product_identifier (id serial PRIMARY KEY, product int REFERENCES product_template,
  type varchar, code varchar NOT NULL);
INSERT INTO product_identifier (product, type, code) SELECT g, 'ean',
  '40' || lpad((g * 7919)::text, 11, '0') FROM generate_series(1, 300) g;
"""


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("party_identifier", "code"),
        ("customer_identifiers", "value"),
        ("res_partner_identification", "number"),
        ("customer_tax_ids", "value"),
    ],
)
def test_the_code_of_a_partys_identifier_is_a_national_id(table: str, column: str) -> None:
    found = pii.match_name(column, f"public.{table}")
    assert found is not None and found.kind == "national_id", found


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("product_identifier", "code"),
        ("party_identifier", "type"),
        ("party_party", "code"),
        ("identifier", "code"),
        ("account_tax", "code"),
    ],
)
def test_other_codes_are_none(table: str, column: str) -> None:
    assert pii.match_name(column, f"public.{table}") is None


def test_party_identifiers_keep_their_shape_and_product_codes_stay(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.party_identifier", "code") == "digits"
    assert strategy_of(text, "public.product_identifier", "code") == "keep"
    assert strategy_of(text, "public.party_identifier", "type") == "keep"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, type, code FROM party_identifier ORDER BY id").fetchall()
        eans = conn.execute("SELECT id, code FROM product_identifier ORDER BY id").fetchall()
    for g, kind, code in rows:
        original = (
            f"DE{100000000 + g * 7919}"
            if g % 3 == 0
            else str(732829320 + g if g % 3 == 1 else 123450000 + g)
        )
        assert code != original and len(code) == len(original), (original, code)
        shape = r"DE\d{9,10}" if kind == "eu_vat" else r"\d{9}"
        assert re.fullmatch(shape, code), (kind, code)
    assert eans == [(g, "40" + str(g * 7919).zfill(11)) for g in range(1, 301)]
