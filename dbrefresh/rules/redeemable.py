"""Codes that are worth money: a gift card's, a voucher's or a coupon's code.

Saleor's `giftcard_giftcard.code` ('C4CA-4238-A0B9') was kept with no note, and a code
copied to staging is still redeemable in production by whoever reads it there. Named
for it anywhere (`voucher_code`, `gift_card_code`), or a generic `code`, `pin` or
`number` in a table of gift cards, vouchers, coupons or discount codes.
"""

from __future__ import annotations

import re

_NAMED = re.compile(
    r"(?:^|_)(?:voucher|coupon|promo|promotion|discount|gift|giftcard|gift_card|redemption|"
    r"redeem|claim|activation)_(?:code|codes|pin|number)(?:_|$)"
)
_TABLES = re.compile(
    r"(?:^|_)(?:gift_?cards?|gift_?certificates?|vouchers?|voucher_?codes?|coupons?|"
    r"coupon_?codes?|promo_?codes?|promotion_?codes?|discount_?codes?)(?:_|$)"
)
_GENERIC = frozenset({"code", "pin", "number", "card_number", "card_code", "secret_code"})
REASON = "a redeemable code (gift card, voucher, coupon): usable in production from staging"


def redeemable(column: str, table: str) -> bool:
    """Whether a column (normalized name) in a table (normalized) holds such codes."""
    return bool(_NAMED.search(column)) or (column in _GENERIC and bool(_TABLES.search(table)))
