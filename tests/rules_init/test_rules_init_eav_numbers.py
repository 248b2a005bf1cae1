"""DHIS2's tracker attribute 'TB number' ('TB-2021-1001', a patient's register number,
its `code` NULL) was kept by trackedentityattributevalue.value's switch. It gets
`digits` (the 'TB' prefix and the dashes kept, every digit changed); a batch number
repeated over rows and a facility code stay as they are."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules.eav_numbers import number_field

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE trackedentityattribute (trackedentityattributeid bigint PRIMARY KEY,
  uid varchar(11) UNIQUE NOT NULL, code varchar(50) UNIQUE, name varchar(230) UNIQUE NOT NULL,
  valuetype varchar(36) NOT NULL);
INSERT INTO trackedentityattribute VALUES (1, 'w75KJ2mc4zz', 'MMD_PER_NAM', 'First name', 'TEXT'),
  (4, 'ruQQnf6rswq', NULL, 'TB number', 'TEXT'),
  (5, 'BatchNo0001', NULL, 'Vaccine batch number', 'TEXT'),
  (6, 'FacCode0001', NULL, 'Facility code', 'TEXT');
CREATE TABLE trackedentityattributevalue (trackedentityid bigint NOT NULL,
  trackedentityattributeid bigint NOT NULL REFERENCES trackedentityattribute,
  value varchar(1200), PRIMARY KEY (trackedentityid, trackedentityattributeid));
INSERT INTO trackedentityattributevalue SELECT t, 1,
  (ARRAY['James','Mary','John','Patricia','Robert','Linda'])[1+t%6] FROM generate_series(1,200) t;
INSERT INTO trackedentityattributevalue SELECT t, 4, 'TB-' || (2020 + t % 5) || '-' || (1000 + t)
  FROM generate_series(1, 200) t;
INSERT INTO trackedentityattributevalue SELECT t, 5, 'LOT-' || (100 + t % 3)
  FROM generate_series(1, 200) t;
INSERT INTO trackedentityattributevalue SELECT t, 6, 'FAC-' || (200 + t)
  FROM generate_series(1, 200) t;
"""


def test_a_model_number_of_products_is_none() -> None:
    codes = [f"XK-{1000 + i}" for i in range(20)]
    assert number_field("Model number", codes, "tracked_values") is None
    assert number_field("Customer number", codes, "catalog_product_entity_varchar") is None
    assert number_field("Customer number", codes, "tracked_values") is not None


@pytest.mark.parametrize(
    ("name", "values", "found"),
    [
        ("TB number", [f"TB-2021-{1000 + i}" for i in range(20)], True),
        ("Patient ID", [f"P{10000 + i}" for i in range(20)], True),
        ("Vaccine batch number", ["LOT-101", "LOT-102"] * 10, False),
        ("TB number", ["positive", "negative"] * 10, False),
        ("Phone number", [f"+2547{10000000 + i}" for i in range(20)], False),
        ("Comment", [f"TB-2021-{1000 + i}" for i in range(20)], False),
        ("BUILD_NUMBER", [str(1008 + i * 10) for i in range(20)], False),  # CI variables
        ("Pipeline ID", [str(5000 + i) for i in range(20)], False),
    ],
)
def test_a_field_named_for_a_number_of_distinct_codes(
    name: str, values: list[str], found: bool
) -> None:
    assert (number_field(name, values) is not None) is found


def test_a_register_number_field_is_masked_its_format_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    cases = rule_of(text, "public.trackedentityattributevalue", "value")["cases"]
    assert cases["4"] == "digits"
    assert cases.get("5", "keep") == "keep" and cases.get("6", "keep") == "keep"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT trackedentityid, trackedentityattributeid, value"
            " FROM trackedentityattributevalue WHERE trackedentityattributeid IN (4, 5)"
        ).fetchall()
    for entity, attribute, value in rows:
        if attribute == 5:
            assert value == f"LOT-{100 + entity % 3}"
            continue
        original = f"TB-{2020 + entity % 5}-{1000 + entity}"
        assert value != original and value.startswith("TB-")
        assert [c.isdigit() for c in value] == [c.isdigit() for c in original]
