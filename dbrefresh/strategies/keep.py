"""keep: the column is not rewritten (ids, timestamps, non-personal data)."""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class KeepParams(StrategyParams):
    """keep takes no parameters."""


@register
class Keep(Strategy[KeepParams]):
    name = "keep"
    summary = "Keep the original value (the column is not rewritten)."
    params_model = KeepParams
    lossy = False
    leak_checked = False
    keeps_value = True

    def compile(self, params: KeepParams, ctx: ColumnContext) -> exp.Expression:
        return ctx.ref
