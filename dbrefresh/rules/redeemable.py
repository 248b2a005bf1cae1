"""Codes that are worth money: a gift card's, a voucher's or a coupon's code.

Saleor's `giftcard_giftcard.code` ('C4CA-4238-A0B9') was kept with no note, and a code
copied to staging is still redeemable in production by whoever reads it there. Named
for it anywhere (`voucher_code`, `gift_card_code`), or a generic `code`, `pin` or
`number` in a table of gift cards, vouchers, coupons or discount codes. Codes of
digits ('6006 4912 3456 7890') keep their shape under `digits` (unique where the
column is: a permutation); others get `hash`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules.proposal import ColumnProposal

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


_DIGIT_CODE = re.compile(r"[0-9][0-9 -]*[0-9]")
MIN_DIGITS = 6  # a short number permutes among too few


def as_digits(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """A redeemable code column of digits: `digits`, the code's shape kept."""
    sample = [v.strip() for v in values or () if v.strip()]
    if REASON not in proposal.why or proposal.strategy != "hash" or not sample:
        return
    if not all(_DIGIT_CODE.fullmatch(v) and sum(map(str.isdigit, v)) >= MIN_DIGITS for v in sample):
        return
    proposal.strategy = "digits"
    proposal.params = {"unique": True} if proposal.unique else {}
    proposal.why.append("its sampled values are digits: `digits` keeps the code's shape")
