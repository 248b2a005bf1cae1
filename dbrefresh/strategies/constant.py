"""constant: one fixed value for every non-NULL row (e.g. a shared staging password hash)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class ConstantParams(StrategyParams):
    value: str | int | float | bool
    """The replacement, written as PostgreSQL would read it for the column's type."""


@register
class Constant(Strategy[ConstantParams]):
    name = "constant"
    summary = "Replace every non-NULL value by one constant, cast to the column's type."
    params_model = ConstantParams

    def check(self, params: ConstantParams, ctx: ColumnContext) -> list[str]:
        text = _text(params.value)
        col = ctx.type
        if col.length is not None and col.is_text and len(text) > col.length:
            return [f"constant {text!r} is longer than {col.sql}"]
        if col.enum_labels and not col.is_array and text not in col.enum_labels:
            return [f"constant {text!r} is not a label of {col.sql}: {', '.join(col.enum_labels)}"]
        if col.is_numeric:
            try:
                Decimal(text)
            except InvalidOperation:
                return [f"constant {text!r} is not a number for {col.sql}"]
        return []

    def leak_sample_when(self, params: ConstantParams, ctx: ColumnContext) -> exp.Expression:
        """A row already holding the constant keeps it (no leak: it is the constant)."""
        value = sqlbuild.cast(sqlbuild.literal(_text(params.value)), ctx.type.sql)
        return sqlbuild.fill(":v IS DISTINCT FROM :c", v=ctx.ref, c=value)

    def compile(self, params: ConstantParams, ctx: ColumnContext) -> exp.Expression:
        value = sqlbuild.cast(sqlbuild.literal(_text(params.value)), ctx.type.sql)
        return sqlbuild.null_guard(ctx, value)


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
