"""A city shared with a unique key is no link unless the column's name names the key.

offices.city is unique (one office per city) and hashed; employees.city, where each
employee lives, repeats office cities. key_links.py gave it the offices' `hash`: every
residence city became hex, though nothing joins it to offices. employees.office_city,
named for the offices, still links and joins.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules.link_hints import hinted, table_stem

from .helpers import comment_of, generate_then_mask, rule_of

CITIES = (
    "ARRAY['Lake Jennifer','Port Matthew','East Sarah','North Brian','West Kimberly',"
    "'Springfield','Riverside','Fairview','Georgetown','Salem','Madison','Clinton']"
)
OFFICES = f"""
CREATE TABLE offices (id int PRIMARY KEY, city text UNIQUE);
INSERT INTO offices SELECT g, ({CITIES})[g] FROM generate_series(1, 12) g;
CREATE TABLE employees (id int PRIMARY KEY, city text, office_city text);
INSERT INTO employees SELECT g, ({CITIES})[1 + (g * 7) % 12], ({CITIES})[1 + (g * 5) % 12]
  FROM generate_series(1, 200) g;
"""


def test_a_residence_city_is_no_link_to_office_cities(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, OFFICES)
    key = rule_of(text, "public.offices", "city")
    assert key["strategy"] == "hash", text
    assert rule_of(text, "public.employees", "city") == "city", text
    assert "links by value" not in comment_of(text, "public.employees", "city")
    office_city = rule_of(text, "public.employees", "office_city")
    assert office_city == "hash" or office_city["strategy"] == "hash", text
    assert "links by value to public.offices.city" in comment_of(
        text, "public.employees", "office_city"
    )
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"""SELECT count(*) FILTER (WHERE e.city ~ '^[0-9a-f]{{16,}}$'),
                 count(*) FILTER (WHERE e.city = ANY({CITIES})),
                 count(*) FILTER (WHERE EXISTS
                   (SELECT 1 FROM offices o WHERE o.city = e.office_city)),
                 count(*) FILTER (WHERE e.office_city = ANY({CITIES}))
               FROM employees e"""
        ).fetchone()
    # city names, none hex and none the original; office cities masked and joined
    assert row == (0, 0, 200, 0), row


@pytest.mark.parametrize(
    ("column", "table", "linked"),
    [
        ("office_city", "public.offices", True),
        ("officeCity", "public.offices", True),
        ("city", "public.offices", False),
        ("customer_address", "public.tabAddress", True),
        ("shipping_address_name", "public.addresses", True),
        ("country", "public.tabCompany", False),
        ("city", "public.cities", True),
    ],
)
def test_the_name_must_name_the_key_table(column: str, table: str, linked: bool) -> None:
    assert hinted(column, table) is linked, table_stem(table)
