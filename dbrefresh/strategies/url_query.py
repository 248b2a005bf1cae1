"""url_query: a URL's personal query parameters replaced, the rest of the URL kept.

n8n keeps its HTTP nodes' URLs at a JSON path ('...contacts?email=anna@gmail.com&limit=1')
and PeerTube a magnet link naming a video file ('magnet:?xt=urn:btih:<hex>&dn=Anna+
Smith+Wedding.mp4&tr=...'). Only a parameter's value is personal, yet the path got
`lorem` (no URL left), and an `sql` rule, which reads the row's columns, cannot rewrite
a JSON path's own value. This strategy can: each parameter named in `names`, and with
`emails` each whose value holds an email address ('@' or '%40'), gets 16 hex of the
URL's keyed digest ('u<hex>%40example.invalid' for an address, so it stays one);
everything else is kept. Distinct URLs stay distinct (the digest is of the whole URL).
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

HEX = 16
DOMAIN = "%40example.invalid"
# A parameter's name and '=', then a value holding an address (url_params.py's pattern)
EMAILS = r"([?&][^=&#]*=)[^&#]*(@|%40)[^&#]*"
_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,64}")


class UrlQueryParams(StrategyParams):
    names: list[str] = Field(default_factory=list)
    """Query parameters whose values are replaced whatever they hold (`dn` of a magnet link)."""
    emails: bool = True
    """Also replace each parameter whose value holds an email address ('@' or '%40')."""

    @model_validator(mode="after")
    def _something(self) -> UrlQueryParams:
        bad = [n for n in self.names if not _NAME.fullmatch(n)]
        if bad:
            raise ValueError(f"not a query parameter name: {', '.join(map(repr, bad))}")
        if not self.names and not self.emails:
            raise ValueError("url_query needs `names` or `emails: true`")
        return self


def named(names: list[str]) -> str:
    """The pattern of the named parameters with their values ('[?&](dn|tr)=' ...)."""
    alternatives = "|".join(re.sub(r"([.\[\]])", r"[\1]", n) for n in names)
    return f"([?&](?:{alternatives})=)[^&#]*"


@register
class UrlQuery(ScalarStrategy[UrlQueryParams]):
    name = "url_query"
    summary = "A URL with the values of personal query parameters hashed, the rest kept."
    params_model = UrlQueryParams
    lossy = False

    def fits(self, params: UrlQueryParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"url_query produces text; {ctx.column} is {ctx.type.sql}"]
        return []

    def is_lossy_in(self, params: UrlQueryParams, ctx: ColumnContext) -> bool:
        """A varchar(n) may cut a URL made longer (an address became u<hex>@...)."""
        return ctx.type.length is not None

    def _patterns(self, params: UrlQueryParams) -> list[tuple[str, str]]:
        """(pattern, what replaces the value after the kept `\\1`, before the hex)."""
        out = [(named(params.names), "")] if params.names else []
        return out + ([(EMAILS, "u")] if params.emails else [])

    def leak_sample_when(self, params: UrlQueryParams, ctx: ColumnContext) -> exp.Expression:
        """Only URLs holding such a parameter change; the others name no one."""
        text = sqlbuild.fill('(CAST(:r AS TEXT) COLLATE "C")', r=ctx.ref)
        held = [sqlbuild.fill(":t ~ :p", t=text.copy(), p=p) for p, _ in self._patterns(params)]
        return exp.Paren(this=exp.or_(*held))

    def masked(self, params: UrlQueryParams, ctx: ColumnContext) -> exp.Expression:
        def text() -> exp.Expression:
            return sqlbuild.fill('(CAST(:r AS TEXT) COLLATE "C")', r=ctx.ref)

        digest = sqlbuild.fill(
            "dbrefresh.keyed(:p, :v)", p=sqlbuild.key_prefix(ctx, self.name), v=text()
        )
        hexed = sqlbuild.fill("encode(substr(:h, 1, :n), 'hex')", h=digest, n=HEX // 2)
        value = text()
        for pattern, lead in self._patterns(params):
            tail = DOMAIN if lead else ""
            replacement = sqlbuild.fill("(:a || :h || :b)", a="\\1" + lead, h=hexed.copy(), b=tail)
            value = sqlbuild.fill(
                "regexp_replace(:v, :p, :r, 'g')", v=value, p=pattern, r=replacement
            )
        return sqlbuild.fit_text(ctx, value, truncate=True)
