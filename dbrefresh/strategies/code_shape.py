"""digits' options for codes: letters of the same case, and a Luhn check digit.

A gift card's 'C4CA-4238-A0B9' hashed became 32 hex characters, no longer a code the
application reads; with `letters: true` each ASCII letter becomes a keyed letter of its
case (and each digit a digit, as always), so the code keeps its length, its separators
and its character classes. Without `unique`, the letters come from a second keyed digest
(`dbrefresh.fill_letters`); with it, `dbrefresh.permute_code` permutes the digits (under
a tweak naming the letters) and then the letters (under one naming the permuted digits):
a two-round Feistel over the two classes, so distinct codes of one shape stay distinct.

An identifier with a Luhn check digit (OpenMRS's '100-8', a card-like number) lost its
valid check digit under `digits`; with `luhn: true` the last digit is set by
`dbrefresh.luhn_fix` to the check digit over the masked other digits, plus the
original's own error (0 for a valid one): valid stays valid, invalid stays invalid, and
with `unique: true` (the other digits permuted, the last one held) it stays injective.

Both run PL/pgSQL functions, a few µs a value: opt-in, and plain `digits` is unchanged.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext

if TYPE_CHECKING:
    from dbrefresh.strategies.digits import DigitsParams

DIGITS = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase


def letters(params: DigitsParams) -> bool:
    return bool(getattr(params, "letters", False))


def luhn(params: DigitsParams) -> bool:
    return bool(getattr(params, "luhn", False))


def shaped(params: DigitsParams) -> bool:
    """Whether the parameters ask for either option."""
    return letters(params) or luhn(params)


def shift(params: DigitsParams) -> tuple[str, str]:
    """translate() arguments moving each replaced character one step on (a masked value
    equal to its original falls back to that)."""
    if not letters(params):
        return DIGITS, DIGITS[1:] + DIGITS[0]
    return DIGITS + UPPER + LOWER, DIGITS[1:] + "0" + UPPER[1:] + "A" + LOWER[1:] + "a"


def luhn_fixed(
    params: DigitsParams, masked: exp.Expression, orig: exp.Expression
) -> exp.Expression:
    """The masked value with its last digit a Luhn check digit again (luhn only)."""
    if not luhn(params):
        return masked
    return sqlbuild.fill(
        "dbrefresh.luhn_fix(:m, :o, :k)", m=masked, o=orig.copy(), k=params.keep_prefix
    )


def permuted(
    params: DigitsParams, ctx: ColumnContext, orig: exp.Expression, rest: exp.Expression
) -> exp.Expression:
    """unique: true with letters or luhn: `rest` (the value after keep_prefix)
    permuted by dbrefresh.permute_code, the kept prefix before it, the check digit set."""
    n = params.keep_prefix
    masked = sqlbuild.fill(
        "dbrefresh.permute_code(:p, :r, :letters, :luhn)",
        p=sqlbuild.key_prefix(ctx, "digits_unique"),
        r=rest.copy(),
        letters=exp.Boolean(this=letters(params)),
        luhn=exp.Boolean(this=luhn(params)),
    )
    if n:
        masked = sqlbuild.fill("(left(:o, :k) || :m)", o=orig.copy(), k=n, m=masked)
    return luhn_fixed(params, masked, orig)
