"""Codes worth money: Saleor's `giftcard_giftcard.code varchar(16) UNIQUE`
('C4CA-4238-A0B9') was kept with no note, still redeemable in production from staging;
a voucher code named for it too. Now masked, unique where the column is; a code keeps
its shape under `digits` (letters too, with `letters: true`: hashed, 'C4CA-4238-A0B9'
became hex the application no longer reads as a code), a code holding other
characters ('ab/cd+ef') gets `hash`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE giftcard_giftcard (id serial PRIMARY KEY, code varchar(16) NOT NULL UNIQUE,
  currency varchar(3) NOT NULL);
INSERT INTO giftcard_giftcard (code, currency)
  SELECT upper(substr(md5(g::text), 1, 4) || '-' || substr(md5(g::text), 5, 4) || '-'
    || substr(md5(g::text), 9, 4)), 'USD' FROM generate_series(1, 30) g;
CREATE TABLE gift_cards (id serial PRIMARY KEY, number varchar(19) UNIQUE);
INSERT INTO gift_cards (number) SELECT '6006 4912 ' || lpad((g * 7919)::text, 4, '0') || ' '
  || lpad((g * 104729 % 10000)::text, 4, '0') FROM generate_series(1, 30) g;
CREATE TABLE order_order (id serial PRIMARY KEY, voucher_code varchar(255));
INSERT INTO order_order (voucher_code)
  SELECT 'SUMMER' || (g % 5) FROM generate_series(1, 30) g;
CREATE TABLE promo_codes (id serial PRIMARY KEY, code text);
INSERT INTO promo_codes (code) SELECT 'ab/cd+' || g FROM generate_series(1, 30) g;
ANALYZE;
"""


def test_gift_card_and_voucher_codes_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.giftcard_giftcard", "code") == {
        "strategy": "digits",
        "letters": True,
        "unique": True,
    }
    assert "redeemable" in comment_of(text, "public.giftcard_giftcard", "code")
    assert rule_of(text, "public.order_order", "voucher_code") == {
        "strategy": "digits",
        "letters": True,
        "unique": True,  # like the other digits columns
    }
    assert rule_of(text, "public.promo_codes", "code") == "hash"  # '/' and '+': no code shape
    # a code of digits keeps its shape (and stays unique)
    assert rule_of(text, "public.gift_cards", "number") == {"strategy": "digits", "unique": True}
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(DISTINCT code),
                 count(*) FILTER (WHERE code ~ '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
                 (SELECT count(*) FROM order_order WHERE voucher_code LIKE 'SUMMER%'),
                 (SELECT count(DISTINCT number) FROM gift_cards
                  WHERE number ~ '^\\d{4} \\d{4} \\d{4} \\d{4}$' AND number NOT LIKE '6006 4912 %')
               FROM giftcard_giftcard"""
        ).fetchone()
    assert counts == (30, 30, 0, 30)
    with psycopg.connect(dsn) as conn:
        codes = conn.execute("SELECT id, code FROM giftcard_giftcard ORDER BY id").fetchall()
        vouchers = [r[0] for r in conn.execute("SELECT voucher_code FROM order_order")]
    for g, masked in codes:
        digest = hashlib.md5(str(g).encode()).hexdigest().upper()
        original = f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}"
        assert masked != original and len(masked) == 14
        assert re.fullmatch("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", masked)
        assert [c.isdigit() for c in masked] == [c.isdigit() for c in original]
    assert all(re.fullmatch("[A-Z]{6}[0-9]", v) for v in vouchers)
    assert len(set(vouchers)) == 5  # 'SUMMER0'..'SUMMER4', each masked alike
