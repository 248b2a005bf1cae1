"""A person's own code: Odoo's `hr_employee.pin` (kiosk and till PIN, digits) and
`hr_employee.barcode` (the badge id, unique per company) were kept. They get `digits`
(format kept, unique: true on the badge), while `pinned`, `is_pinned`, `pin_count`,
`spinner`, a product's barcode and a `pin` holding no digits stay as they are."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import pii

from .helpers import generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE res_company (id int PRIMARY KEY);
INSERT INTO res_company VALUES (1), (2);
CREATE TABLE hr_employee (id int PRIMARY KEY, name varchar, company_id int REFERENCES res_company,
  pin varchar, barcode varchar, pin_count int, is_pinned boolean, pinned boolean,
  spinner text, UNIQUE (barcode, company_id));
INSERT INTO hr_employee SELECT i, 'Emp ' || i, 1 + i % 2,
  CASE WHEN i % 3 = 0 THEN NULL ELSE lpad((i * 7919 % 10000)::text, 4, '0') END,
  '041' || lpad((i * 104729 % 1000000000)::text, 9, '0'), i % 5, i % 2 = 0, i % 3 = 0,
  'spin ' || i FROM generate_series(1, 300) i;
CREATE TABLE product_product (id int PRIMARY KEY, barcode varchar UNIQUE);
INSERT INTO product_product
  SELECT i, '400' || lpad(i::text, 10, '0') FROM generate_series(1, 300) i;
CREATE TABLE posts (id int PRIMARY KEY, pin text, card_pin text);
INSERT INTO posts SELECT i, (ARRAY['top', 'none', 'featured'])[1 + i % 3],
  lpad((i * 37 % 10000)::text, 4, '0') FROM generate_series(1, 200) i;
"""


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("hr_employee", "pin"),
        ("hr_employee", "barcode"),
        ("users", "pin_code"),
        ("cards", "card_pin"),
        ("users", "userPin"),
        ("staff", "badge_number"),
        ("res_partner", "barcode"),  # a customer's loyalty card (Odoo's point of sale)
    ],
)
def test_a_pin_or_badge_is_a_personal_code(table: str, column: str) -> None:
    found = pii.match_name(column, f"public.{table}")
    assert found is not None and found.kind == "personal_code", found


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("posts", "pinned"),
        ("posts", "is_pinned"),
        ("posts", "pin_count"),
        ("ui", "spinner"),
        ("posts", "has_pin"),
        ("markers", "pin_color"),
        ("product_product", "barcode"),
    ],
)
def test_names_about_a_pin_are_none(table: str, column: str) -> None:
    assert pii.match_name(column, f"public.{table}") is None


def test_pins_and_badges_are_masked_their_format_kept(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        before = dict(conn.execute("SELECT id, (pin, barcode) FROM hr_employee").fetchall())
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.hr_employee", "pin") == "digits"
    assert rule_of(text, "public.hr_employee", "barcode") == {"strategy": "digits", "unique": True}
    assert strategy_of(text, "public.posts", "card_pin") == "digits"
    for column in ("pinned", "is_pinned", "pin_count", "spinner"):
        assert strategy_of(text, "public.hr_employee", column) == "keep", column
    assert strategy_of(text, "public.product_product", "barcode") == "keep"
    assert strategy_of(text, "public.posts", "pin") == "keep"  # no digits: no PIN
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, (pin, barcode) FROM hr_employee").fetchall())
        kept = conn.execute(
            "SELECT count(*) FROM posts p WHERE card_pin = lpad((id * 37 % 10000)::text, 4, '0')"
        ).fetchone()
        product = conn.execute(
            "SELECT count(*) FROM product_product WHERE barcode = '400' || lpad(id::text, 10, '0')"
        ).fetchone()
    assert kept == (0,) and product == (300,)
    for id_, (pin, badge) in before.items():
        new_pin, new_badge = after[id_]
        assert new_badge != badge and len(new_badge) == len(badge) and new_badge.isdigit()
        if pin is None:
            assert new_pin is None
        else:  # Odoo checks a PIN is digits only
            assert new_pin != pin and len(new_pin) == len(pin) and new_pin.isdigit()
    assert len({b for _, b in after.values()}) == len(after)  # the badges stay unique
