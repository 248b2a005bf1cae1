"""null: replace every value by NULL (free-text notes, tokens nobody needs in staging)."""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class NullParams(StrategyParams):
    """null takes no parameters."""


@register
class Null(Strategy[NullParams]):
    name = "null"
    summary = "Replace every value by NULL (refused on NOT NULL columns)."
    params_model = NullParams

    def check(self, params: NullParams, ctx: ColumnContext) -> list[str]:
        if not ctx.nullable:
            return [f"{ctx.column} is NOT NULL; use constant or another strategy"]
        return []

    def compile(self, params: NullParams, ctx: ColumnContext) -> exp.Expression:
        return sqlbuild.cast(exp.Null(), ctx.type.sql)
