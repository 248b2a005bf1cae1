"""digits and phone: every digit replaced, everything else kept ('+1 (555) 010-2030').

Each digit comes from the keyed digest by position; the value is rebuilt with format():
digits become %s and the new digits are its VARIADIC arguments, which avoids a
per-character loop (about 3 µs per row for a phone number instead of 5+).
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class DigitsParams(StrategyParams):
    keep_prefix: int = Field(default=0, ge=0, le=64)
    """Characters at the start kept as they are (country or area code)."""


class _DigitStrategy(ScalarStrategy[DigitsParams]):
    params_model = DigitsParams

    def fits(self, params: DigitsParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"{self.name} rewrites digits in text; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: DigitsParams, ctx: ColumnContext) -> exp.Expression:
        orig = sqlbuild.as_text(ctx.ref)
        n = params.keep_prefix
        rest = sqlbuild.fill("substr(:o, :k)", o=orig, k=n + 1) if n else orig
        # Ten replace() calls beat translate() + replace() by 0.4 µs: translate is
        # multibyte-aware per character, replace is a byte search.
        fmt = sqlbuild.fill("replace(:r, '%', '%%')", r=rest)
        for digit in "0123456789":
            fmt = sqlbuild.fill("replace(:f, :d, '%s')", f=fmt, d=digit)
        new_digits = sqlbuild.let(
            "h",
            sqlbuild.digest(ctx, self.name),
            lambda h: sqlbuild.fill(
                "string_to_array(substr(:d, 1, length(:r)), NULL)", d=_digit_pool(h, rest), r=rest
            ),
        )
        masked = sqlbuild.fill("format(:f, VARIADIC :d)", f=fmt, d=new_digits)
        if n:
            masked = sqlbuild.fill("(left(:o, :k) || :m)", o=orig, k=n, m=masked)
        # Equal to the original only when every new digit happens to match: then shift
        # every digit by one (evaluated in that rare case only).
        value = sqlbuild.fill(
            "COALESCE(NULLIF(:m, :o), :k_part || translate(substr(:o, :k1), '0123456789',"
            " '1234567890'))",
            m=masked,
            o=orig,
            k_part=sqlbuild.fill("left(:o, :k)", o=orig, k=n),
            k1=n + 1,
        )
        return sqlbuild.fit_text(ctx, value, truncate=False)


def _digit_pool(h: exp.Expression, rest: exp.Expression) -> exp.Expression:
    """At least length(rest) keyed digits: 9 per 4 digest bytes (translate() over hex
    would cost 2 µs), 18 for the usual phone number, 72 repeated for longer texts."""
    chunks = [
        sqlbuild.fill("lpad(CAST(dbrefresh.u31(:h, :o) % 1000000000 AS TEXT), 9, '0')", h=h, o=o)
        for o in range(0, 32, 4)
    ]
    short = sqlbuild.fill("(:a || :b)", a=chunks[0], b=chunks[1])
    long = chunks[0]
    for chunk in chunks[1:]:
        long = sqlbuild.fill("(:a || :b)", a=long, b=chunk)
    return sqlbuild.fill(
        "CASE WHEN length(:r) <= 18 THEN :short ELSE repeat(:long, 1 + length(:r) / 72) END",
        r=rest,
        short=short,
        long=long,
    )


@register
class Digits(_DigitStrategy):
    name = "digits"
    summary = "Replace every digit (after keep_prefix characters), keep everything else."


@register
class Phone(_DigitStrategy):
    name = "phone"
    summary = "Phone numbers: every digit replaced, format and keep_prefix kept."
