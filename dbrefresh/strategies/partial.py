"""partial: keep the first/last characters and mask the rest (IBANs, card numbers)."""

from __future__ import annotations

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class PartialParams(StrategyParams):
    keep_first: int = Field(default=0, ge=0, le=100)
    """Characters kept at the start."""
    keep_last: int = Field(default=0, ge=0, le=100)
    """Characters kept at the end."""
    mask_char: str = Field(default="*", min_length=1, max_length=1)
    """The character that replaces every other character."""

    @model_validator(mode="after")
    def _keeps_something_masked(self) -> PartialParams:
        if self.keep_first == 0 and self.keep_last == 0:
            raise ValueError("set keep_first or keep_last (otherwise use constant)")
        return self


@register
class Partial(ScalarStrategy[PartialParams]):
    name = "partial"
    summary = "Keep keep_first/keep_last characters, replace the rest by mask_char."
    params_model = PartialParams

    def fits(self, params: PartialParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"partial masks characters of text; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: PartialParams, ctx: ColumnContext) -> exp.Expression:
        # A value no longer than the kept parts would survive whole: mask all of it.
        value = sqlbuild.fill(
            "CASE WHEN length(:o) <= :kept THEN repeat(:m, length(:o))"
            " ELSE left(:o, :first) || repeat(:m, length(:o) - :kept) || right(:o, :last) END",
            o=sqlbuild.as_text(ctx.ref),
            kept=params.keep_first + params.keep_last,
            first=params.keep_first,
            last=params.keep_last,
            m=params.mask_char,
        )
        return sqlbuild.fit_text(ctx, value, truncate=False)
