"""choice: one of a fixed list of values (by default an enum's labels), never the original."""

from __future__ import annotations

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class ChoiceParams(StrategyParams):
    values: list[str] | None = Field(default=None, min_length=2, max_length=1000)
    """Values to choose from, as PostgreSQL reads them; default: the enum's labels."""

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and len(set(values)) != len(values):
            raise ValueError("values must be distinct (a repeated value could equal the original)")
        return values


@register
class Choice(ScalarStrategy[ChoiceParams]):
    name = "choice"
    summary = "A keyed pick among values (default: the enum's labels), never the original."
    params_model = ChoiceParams

    def fits(self, params: ChoiceParams, ctx: ColumnContext) -> list[str]:
        values = _values(params, ctx)
        if len(values) < 2:
            return [f"choice needs at least two values for {ctx.column} ({ctx.type.sql})"]
        labels = ctx.type.enum_labels
        if labels and (unknown := [v for v in values if v not in labels]):
            return [f"not labels of {ctx.type.sql}: {', '.join(unknown)}"]
        limit = ctx.type.length
        if limit is not None and (long := [v for v in values if len(v) > limit]):
            return [f"longer than {ctx.type.sql}: {', '.join(long)}"]
        return []

    def masked(self, params: ChoiceParams, ctx: ColumnContext) -> exp.Expression:
        values = _values(params, ctx)
        array = exp.Array(expressions=[sqlbuild.literal(v) for v in values])

        # The digest is read once; an original drawn by its own digest gets one of two
        # neighbouring values chosen by the original (they differ: values are distinct).
        value = sqlbuild.pick_x(
            array, sqlbuild.bits(sqlbuild.digest(ctx, self.name)), sqlbuild.as_text(ctx.ref)
        )
        return sqlbuild.cast(value, ctx.type.sql)


def _values(params: ChoiceParams, ctx: ColumnContext) -> list[str]:
    return list(params.values) if params.values is not None else list(ctx.type.enum_labels)
