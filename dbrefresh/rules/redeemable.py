"""Codes that are worth money: a gift card's, a voucher's or a coupon's code.

Saleor's `giftcard_giftcard.code` ('C4CA-4238-A0B9') was kept with no note, and a code
copied to staging is still redeemable in production by whoever reads it there. Named
for it anywhere (`voucher_code`, `gift_card_code`), or a generic `code`, `pin` or
`number` in a table of gift cards, vouchers, coupons or discount codes. Codes of
digits ('6006 4912 3456 7890') keep their shape under `digits` (unique where the
column is: a permutation), and so do codes of letters and digits ('C4CA-4238-A0B9',
'SUMMER24') with `letters: true`: hashed, they became 32 hex characters the
application no longer reads as a code. Others (a code holding '/', '+' or a letter
outside A-Z) get `hash`.
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


_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z _-]*[0-9A-Za-z]")
MIN_DIGITS = 6  # a short code permutes among too few (letters and digits alike)


def is_code(value: str) -> bool:
    """Letters and digits, maybe with spaces, dashes or underscores inside: a code."""
    return bool(_CODE.fullmatch(value)) and sum(c.isalnum() for c in value) >= MIN_DIGITS


def as_digits(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """A redeemable code column of digits (and ASCII letters): `digits`, the code's shape
    kept, `letters: true` where a sampled code has a letter."""
    sample = [v.strip() for v in values or () if v.strip()]
    if REASON not in proposal.why or proposal.strategy != "hash" or not sample:
        return
    if not all(is_code(v) for v in sample):
        return
    letters = any(c.isalpha() for v in sample for c in v)
    proposal.strategy = "digits"
    proposal.params = {"letters": True} if letters else {}
    proposal.params |= {"unique": True} if proposal.unique else {}
    proposal.why.append(
        "its sampled values are codes of letters and digits: `digits` with `letters` keeps "
        "the code's shape (length, separators, case)"
        if letters
        else "its sampled values are digits: `digits` keeps the code's shape"
    )
