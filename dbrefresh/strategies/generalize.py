"""generalize: round numbers toward zero to a bucket, or truncate dates to a unit.

Keeps aggregates meaningful (age bands, months) while hiding the exact value. Lossy by
design, and not leak-checked: values already on a bucket boundary stay as they are. A
bucket finer than the column's own unit (0.1 on an integer) would change nothing, so it
does not fit. Rounding toward zero never grows a value: it stays inside numeric(p,s).

A `point` (a home's `location point`) gets each of its x and y on the bucket's grid:
bucket 0.1 is the 0.1-degree grid numeric latitudes and longitudes get (about 11 km);
the bucket is in the point's own units, as for any number, so (0, 0) and NULL stay.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

DATE_BASES = {"date", "timestamp", "timestamptz"}
NUMBER_BASES = {"int2", "int4", "int8", "numeric", "float4", "float8"}
POINT = "point"  # PostgreSQL's geometric point(x, y): each coordinate to the grid
# what a strategy refusing a point says instead (noise, coordinates)
POINT_HINT = " (a point's x and y: `{strategy: generalize, bucket: 0.1}`)"


class GeneralizeParams(StrategyParams):
    bucket: float | None = Field(default=None, gt=0)
    """Numbers: round toward zero to a multiple of this (10: 37 -> 30); a point: its
    x and y each (0.1: a 0.1-degree grid of locations)."""
    truncate: Literal["day", "week", "month", "quarter", "year"] | None = None
    """Dates and timestamps: truncate to this unit (UTC for timestamptz)."""

    @model_validator(mode="after")
    def _one_kind(self) -> GeneralizeParams:
        if (self.bucket is None) == (self.truncate is None):
            raise ValueError("set exactly one of bucket (numbers) or truncate (dates)")
        return self


@register
class Generalize(ScalarStrategy[GeneralizeParams]):
    name = "generalize"
    summary = "Round numbers to a bucket or truncate dates to day/week/month/quarter/year."
    params_model = GeneralizeParams
    leak_checked = False

    def fits(self, params: GeneralizeParams, ctx: ColumnContext) -> list[str]:
        base = ctx.type.base
        if params.bucket is not None and base not in NUMBER_BASES | {POINT}:
            return [f"generalize bucket needs a number or a point; {ctx.column} is {ctx.type.sql}"]
        if params.bucket is not None and _finer_than_column(params.bucket, ctx):
            return [
                f"generalize bucket {params.bucket} is finer than {ctx.column}'s "
                f"{ctx.type.sql}: nothing would change"
            ]
        if params.truncate is not None and base not in DATE_BASES:
            return [
                f"generalize truncate needs a date or timestamp; {ctx.column} is {ctx.type.sql}"
            ]
        return []

    def masked(self, params: GeneralizeParams, ctx: ColumnContext) -> exp.Expression:
        if params.bucket is not None and ctx.type.base == POINT:
            x, y = (sqlbuild.fill(f"(:p)[{i}]", p=ctx.ref) for i in (0, 1))
            value = sqlbuild.fill(
                "point(:x, :y)", x=_on_grid(x, params.bucket), y=_on_grid(y, params.bucket)
            )
        elif params.bucket is not None:
            value = _on_grid(ctx.ref, params.bucket)
        elif ctx.type.base == "timestamptz":
            value = sqlbuild.fill("date_trunc(:u, :v, 'UTC')", u=params.truncate or "", v=ctx.ref)
        else:
            value = sqlbuild.fill("date_trunc(:u, :v)", u=params.truncate or "", v=ctx.ref)
        return sqlbuild.cast(value, ctx.type.sql)


def _on_grid(number: exp.Expression, bucket: float) -> exp.Expression:
    """The number rounded toward zero to a multiple of the bucket, in numeric: exact,
    so 48.8 is not 48.800000000000004 in a float."""
    return sqlbuild.fill(
        "(trunc(CAST(:v AS NUMERIC) / CAST(:b AS NUMERIC)) * CAST(:b AS NUMERIC))",
        v=number,
        b=str(Decimal(str(bucket))),
    )


def _finer_than_column(bucket: float, ctx: ColumnContext) -> bool:
    """Whether every value of the column is already on the bucket's grid."""
    scale = 0 if ctx.type.base in {"int2", "int4", "int8"} else ctx.type.scale
    return scale is not None and Decimal(str(bucket)) < Decimal(1).scaleb(-scale)
