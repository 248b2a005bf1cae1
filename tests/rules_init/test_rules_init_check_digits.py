"""Codes ending in a Luhn check digit: OpenMRS's patient identifier ('100-8', kept
before: `identifier` in a table of people's identifiers is a personal code now), a
chart number, a medical record number, a card number under a unique index. `digits`
replaced the check digit with a keyed one and nine masked values in ten failed the
application's check; rules init now sets `luhn: true` where the sampled values carry
one, and leaves codes that do not (a policy number) and kept columns (a product's
number and identifier) as they were."""

from __future__ import annotations

import random
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of


def luhn_ok(value: str) -> bool:
    total = 0
    for i, d in enumerate(int(c) for c in reversed(value) if c.isdigit()):
        total += (d * 2 - 9 if d > 4 else d * 2) if i % 2 == 1 else d
    return total % 10 == 0


def with_check_digit(body: str, sep: str = "") -> str:
    return next(f"{body}{sep}{c}" for c in range(10) if luhn_ok(f"{body}{c}"))


RNG = random.Random(7)
MRNS = [with_check_digit(str(RNG.randrange(100000, 999999))) for _ in range(60)]
CHARTS = [with_check_digit(str(100 + 3 * i), "-") for i in range(50)]
CARDS = [with_check_digit(f"4{RNG.randrange(10**13, 10**14)}") for _ in range(40)]
POLICIES = [str(RNG.randrange(1000000, 9999999)) for _ in range(60)]
OPENMRS = [with_check_digit(str(1000 + 7 * i), "-") for i in range(80)]
PRODUCTS = [with_check_digit(str(5000 + 11 * i), "-") for i in range(80)]
SKUS = [with_check_digit(str(RNG.randrange(10**8, 10**9))) for _ in range(40)]


def _values(*columns: list[str]) -> str:
    rows = zip(*columns, strict=True)
    return ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in rows)


SCHEMA = f"""
CREATE TABLE patient (id serial PRIMARY KEY, mrn varchar(20) UNIQUE, policy_number text);
INSERT INTO patient (mrn, policy_number) VALUES {_values(MRNS, POLICIES)};
CREATE TABLE patient_chart (id serial PRIMARY KEY, chart_number varchar(20));
INSERT INTO patient_chart (chart_number) VALUES {_values(CHARTS)};
CREATE TABLE payment (id serial PRIMARY KEY, cc_number varchar(19) UNIQUE);
INSERT INTO payment (cc_number) VALUES {_values(CARDS)};
CREATE TABLE product (id serial PRIMARY KEY, item_number text);
INSERT INTO product (item_number) VALUES {_values(SKUS)};
CREATE TABLE patient_identifier (patient_identifier_id serial PRIMARY KEY,
  patient_id int NOT NULL REFERENCES patient, identifier varchar(50) NOT NULL,
  identifier_type int NOT NULL, preferred smallint NOT NULL DEFAULT 0,
  uuid char(38) NOT NULL UNIQUE DEFAULT gen_random_uuid());
INSERT INTO patient_identifier (patient_id, identifier, identifier_type)
  SELECT 1 + g % 60, ('{{{",".join(OPENMRS)}}}'::text[])[g], 1 FROM generate_series(1, 80) g;
CREATE TABLE product_identifier (id serial PRIMARY KEY, identifier text);
INSERT INTO product_identifier (identifier) VALUES {_values(PRODUCTS)};
ANALYZE;
"""


def test_luhn_check_digits_stay_valid(make_db, tmp_path: Path) -> None:
    assert all(map(luhn_ok, MRNS + CHARTS + CARDS + SKUS))
    assert sum(map(luhn_ok, POLICIES)) < 20
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in [("patient", "mrn"), ("patient_chart", "chart_number"),
                          ("payment", "cc_number"),
                          ("patient_identifier", "identifier")]:  # fmt: skip
        rule = rule_of(text, f"public.{table}", column)
        assert rule["strategy"] == "digits" and rule["luhn"] is True, (column, rule)
        assert "Luhn check digit" in comment_of(text, f"public.{table}", column)
    assert "luhn" not in rule_of(text, "public.patient", "policy_number")  # no check digit
    assert rule_of(text, "public.product", "item_number") == "keep"
    assert rule_of(text, "public.product_identifier", "identifier") == "keep"
    with psycopg.connect(dsn) as conn:
        mrns = [r[0] for r in conn.execute("SELECT mrn FROM patient ORDER BY id")]
        charts = [r[0] for r in conn.execute("SELECT chart_number FROM patient_chart ORDER BY id")]
        cards = [r[0] for r in conn.execute("SELECT cc_number FROM payment ORDER BY id")]
        skus = [r[0] for r in conn.execute("SELECT item_number FROM product ORDER BY id")]
        openmrs = [r[0] for r in conn.execute(
            "SELECT identifier FROM patient_identifier ORDER BY patient_identifier_id"
        )]  # fmt: skip
    masked_all, originals = mrns + charts + cards + openmrs, MRNS + CHARTS + CARDS + OPENMRS
    for masked, original in zip(masked_all, originals, strict=True):
        assert luhn_ok(masked) and masked != original, (original, masked)
        assert [c.isdigit() for c in masked] == [c.isdigit() for c in original]
    assert all(c[-2] == "-" for c in charts)
    assert len(set(mrns)) == 60 and len(set(cards)) == 40 and len(set(charts)) == 50
    assert skus == SKUS
    with psycopg.connect(dsn) as conn:
        products = [r[0] for r in conn.execute("SELECT identifier FROM product_identifier")]
    assert sorted(products) == sorted(PRODUCTS)
