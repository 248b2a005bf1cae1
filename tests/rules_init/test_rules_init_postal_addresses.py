"""Whole postal addresses in one value: an opaque column of faker's `address()`
(multi-line, or joined by commas) was kept, en_GB's silently, en_US's with a note
about names; de_DE's got `lorem` only because postcodes passed for phone numbers. A
street line, then a line with a postcode, is an address now, and masked as one."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from faker import Faker

from dbrefresh.rules import pii_values, postal_addresses

from .helpers import generate_then_mask, strategy_of

ADDRESSES = [
    "Flat 0, Francesca Plains, South Joyceborough, SR08 7UX",
    "7070 Warner Ridges Suite 228, North Kaylee, ND 72372",
    "743 Rachel Burgs\nNorth Debratown, FM 50466",
    "Studio 69\nCatherine Gardens\nCarrollburgh\nNR5 7WE",
    "Schleichstraße 19\n48337 Lichtenfels",
    "Anna Schmidt\nVogtallee 22\n73464 Ochsenfurt",
    "ul. Kołłątaja 79/19, 02-931 Kwidzyn",
]
NOT_ADDRESSES = [
    "12 Main Street",  # a street alone: the street detector's
    "Call me about 12 Main Street, the invoice 48337 is still open and unpaid today",
    "North Kaylee, ND 72372",
    "Order 12345, shipped",
]


def test_addresses_are_a_street_line_then_a_postcode() -> None:
    assert [v for v in ADDRESSES if not postal_addresses.is_address(v)] == []
    assert [v for v in NOT_ADDRESSES if postal_addresses.is_address(v)] == []


@pytest.mark.parametrize("locale", ["en_US", "en_GB", "de_DE"])
def test_faker_addresses_are_found(locale: str) -> None:
    Faker.seed(1)
    fake = Faker(locale)
    lines = [fake.address() for _ in range(100)]
    found = pii_values.match_values(lines + [v.replace("\n", ", ") for v in lines])
    assert found is not None and found.kind == "street", found


SCHEMA = """
CREATE TABLE database_table_503 (id serial PRIMARY KEY, field_1 text, field_2 text);
INSERT INTO database_table_503 (field_1, field_2) VALUES {rows};
ANALYZE;
"""


def test_opaque_address_column_is_masked(make_db, tmp_path: Path) -> None:
    Faker.seed(1)
    fake = Faker(["en_GB", "en_US", "de_DE"])
    pairs = [(fake.address(), fake.address().replace("\n", ", ")) for _ in range(150)]
    rows = ", ".join(
        "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in pair) + ")" for pair in pairs
    )
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA.format(rows=rows))
    for column in ("field_1", "field_2"):
        assert strategy_of(text, "public.database_table_503", column) == "street", text
    with psycopg.connect(dsn) as conn:
        masked = {r[0] for r in conn.execute("SELECT field_1 FROM database_table_503")}
        masked |= {r[0] for r in conn.execute("SELECT field_2 FROM database_table_503")}
    assert not masked & {v for pair in pairs for v in pair}
