"""mac: a MAC address (a Wi-Fi BSSID, a phone's own) as another one of the same shape.

OwnTracks' `bssid` '3a:8f:b8:3c:53:4e' and Traccar's `wifiAccessPoints[].macAddress`
name the access point a person stood by, which public Wi-Fi maps place to the metre;
they were kept. Each becomes twelve hex digits of its keyed digest, written with the
original's separator (':' or '-', or none) and case, so the application still reads a
MAC address, and equal addresses mask alike whatever their case or separator. A value
of another shape becomes twelve hex digits. Also for PostgreSQL's macaddr type. 48
bits: lossy in principle.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

# six octets joined by one separator (or none); its separator read from the 3rd character
SHAPED = r"^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$"
HEX_DIGITS = 12
TYPES = {"macaddr"}


class MacParams(StrategyParams):
    pass


@register
class Mac(ScalarStrategy[MacParams]):
    name = "mac"
    summary = "A MAC address as keyed hex of the same shape (separator and case kept)."
    params_model = MacParams

    def fits(self, params: MacParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text and ctx.type.base not in TYPES:
            return [f"mac writes a MAC address as text or macaddr; {ctx.column} is {ctx.type.sql}"]
        if ctx.type.is_text:
            return sqlbuild.text_limit(ctx, HEX_DIGITS + 5, "mac")
        return []

    def masked(self, params: MacParams, ctx: ColumnContext) -> exp.Expression:
        text = sqlbuild.as_text(ctx.ref)
        hexed = sqlbuild.fill(
            "encode(substr(:h, 1, :b), 'hex')",
            h=sqlbuild.fill(  # the address alone: 'AA-BB-..' and 'aa:bb:..' mask alike
                "dbrefresh.keyed(:p, lower(translate(:v, ':-', '')))",
                p=sqlbuild.key_prefix(ctx, self.name),
                v=text.copy(),
            ),
            b=HEX_DIGITS // 2,
        )

        def shaped(h: exp.Expression) -> exp.Expression:
            joined = sqlbuild.fill(
                "regexp_replace(:h, '(..)(?!$)', '\\1' || translate(substr(:v, 3, 1), :x, ''),"
                " 'g')",
                h=h,
                v=text.copy(),
                x="0123456789abcdefABCDEF",  # no separator: none written
            )
            return sqlbuild.fill(
                "CASE WHEN :v !~ :re THEN :h WHEN :v2 ~ '[A-F]' THEN upper(:j) ELSE :j2 END",
                v=text.copy(),
                re=SHAPED,
                h=h.copy(),
                v2=text.copy(),
                j=joined,
                j2=joined.copy(),
            )

        value = sqlbuild.let("mac", hexed, shaped)
        return sqlbuild.cast(value, ctx.type.sql)
