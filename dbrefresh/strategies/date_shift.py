"""date_shift: move dates and timestamps by a keyed, never-zero number of days.

The shift depends on the value (same date, same shift, in every table) and lies in
[-max_days, -1] or [1, max_days]. Lossy: two dates may land on one day.
"""

from __future__ import annotations

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


@register
class DateShift(ScalarStrategy[DateShiftParams]):
    name = "date_shift"
    summary = "Shift dates/timestamps by 1..max_days days either way, keyed per value."
    params_model = DateShiftParams

    def fits(self, params: DateShiftParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.base not in SHIFTABLE:
            return [f"date_shift needs a date or timestamp; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        # Uniform in [-m, -1] and [1, m], reading the digest once (no binding subquery).
        days = sqlbuild.fill(
            "dbrefresh.shift_days(:x, :m)",
            x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
            m=params.max_days,
        )
        if ctx.type.base == "date":
            value = sqlbuild.fill("(:v + :d)", v=ctx.ref, d=days)
        else:
            # Hours, not days: a day interval follows the session's TimeZone over DST.
            value = sqlbuild.fill("(:v + make_interval(hours => 24 * :d))", v=ctx.ref, d=days)
        return sqlbuild.cast(value, ctx.type.sql)
