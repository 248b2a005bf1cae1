"""date_shift: move dates and timestamps by a keyed, never-zero number of days.

The shift depends on the value (same date, same shift, in every table) and lies in
[-max_days, -1] or [1, max_days]. Lossy: two dates may land on one day. With `by`, it
depends on another column's value instead (the row's id, a customer id): every date
keyed by it moves by the same days, so a row's start and end stay in order (CHECK
(ends >= starts)) and its durations stay true; a NULL there falls back to the date's
own value.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import Field
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

SHIFTABLE = {"date", "timestamp", "timestamptz"}


class DateShiftParams(StrategyParams):
    max_days: int = Field(default=30, ge=1, le=36500)
    """Largest shift in days, either way."""
    by: str | None = Field(default=None, min_length=1)
    """A column of the row whose value keys the shift (default: the date itself)."""


@register
class DateShift(ScalarStrategy[DateShiftParams]):
    name = "date_shift"
    summary = "Shift dates/timestamps by 1..max_days days either way, keyed per value."
    params_model = DateShiftParams

    def reads_only_its_column(self, params: DateShiftParams) -> bool:
        return params.by is None

    def fits(self, params: DateShiftParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.base not in SHIFTABLE:
            return [f"date_shift needs a date or timestamp; {ctx.column} is {ctx.type.sql}"]
        if params.by is not None and params.by not in ctx.row_columns:
            return [f"by: {ctx.table} has no column {params.by!r}"]
        return []

    def masked(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        # Uniform in [-m, -1] and [1, m], reading the digest once (no binding subquery).
        days = self._days(ctx, params.max_days)
        if params.by is not None:
            keyed = replace(ctx, column=params.by, type=ctx.row_columns[params.by])
            days = sqlbuild.fill(
                "CASE WHEN :b IS NULL THEN :d ELSE :k END",
                b=keyed.ref,
                k=self._days(keyed, params.max_days),
                d=days,
            )
        if ctx.type.base == "date":
            value = sqlbuild.fill("(:v + :d)", v=ctx.ref, d=days)
        else:
            # Hours, not days: a day interval follows the session's TimeZone over DST.
            value = sqlbuild.fill("(:v + make_interval(hours => 24 * :d))", v=ctx.ref, d=days)
        return sqlbuild.cast(value, ctx.type.sql)

    def _days(self, ctx: ColumnContext, max_days: int) -> exp.Expression:
        return sqlbuild.fill(
            "dbrefresh.shift_days(:x, :m)",
            x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
            m=max_days,
        )
