"""noise: move numbers by a bounded keyed amount, keeping their sign and their type.

The change is between half the bound and the bound and at least one unit of the column's
scale (so never zero); where the type has no scale it is rounded to the value's own
decimals (at least two). It never crosses zero and stays inside numeric(p,s) and integer
ranges (it moves toward zero when moving away would overflow). NaN and infinities are
kept (they name no one). Lossy: nearby values may meet.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, ColumnType, StrategyParams
from dbrefresh.strategies.generalize import POINT, POINT_HINT
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

INTEGER_MAX = {"int2": 32767, "int4": 2147483647, "int8": 9223372036854775807}
FLOATS = {"float4", "float8"}
UNSCALED_STEP = Decimal("0.01")  # smallest change for numeric without scale and floats
STEP_DECIMALS = 2  # UNSCALED_STEP's
SPECIAL = ("NaN", "Infinity", "-Infinity")
SPECIAL_TYPES = {"numeric": "NUMERIC", "float8": "DOUBLE PRECISION", "float4": "REAL"}


class NoiseParams(StrategyParams):
    relative: float | None = Field(default=None, gt=0, le=1)
    """Largest change as a fraction of the value (0.1: up to ±10%)."""
    absolute: float | None = Field(default=None, gt=0)
    """Largest change in the column's units."""

    @model_validator(mode="after")
    def _one_bound(self) -> NoiseParams:
        if (self.relative is None) == (self.absolute is None):
            raise ValueError("set exactly one of relative or absolute")
        return self


@register
class Noise(ScalarStrategy[NoiseParams]):
    name = "noise"
    summary = "Add bounded keyed noise (relative or absolute) to numbers; same sign, same type."
    params_model = NoiseParams

    def fits(self, params: NoiseParams, ctx: ColumnContext) -> list[str]:
        t = ctx.type
        if t.base not in INTEGER_MAX and t.base not in FLOATS and t.base != "numeric":
            reason = f"noise needs an integer, numeric or float column; {ctx.column} is {t.sql}"
            return [reason + (POINT_HINT if t.base == POINT else "")]
        return []

    def masked(self, params: NoiseParams, ctx: ColumnContext) -> exp.Expression:
        step, limit = _step_and_limit(ctx.type)

        mag = sqlbuild.fill("abs(CAST(:v AS NUMERIC))", v=ctx.ref)

        def change(refs: sqlbuild.Refs) -> exp.Expression:
            """The size of the change: half the bound to the bound, at least one step (a
            tiny change could round back to the original in float4)."""
            fraction = sqlbuild.fill("(0.5 + dbrefresh.u31(:h, 0) / 4294967296.0)", h=refs["h"])
            if params.relative is not None:
                raw = sqlbuild.fill("(:mag * :r * :f)", mag=mag, r=params.relative, f=fraction)
            else:
                raw = sqlbuild.fill("(:a * :f)", a=params.absolute or 0, f=fraction)
            if ctx.type.scale is not None or ctx.type.base in INTEGER_MAX:
                raw = sqlbuild.fill("round(:raw, :s)", raw=raw, s=ctx.type.scale or 0)
            else:
                # no scale (numeric, a JSON number `as: numeric`, floats): as many decimals
                # as the value has, at least the step's (52.520008 got 22 decimals)
                raw = sqlbuild.fill(
                    "round(:raw, greatest(scale(:mag), :s))", raw=raw, mag=mag, s=STEP_DECIMALS
                )
            return sqlbuild.fill(
                "greatest(:raw, :step)", raw=raw, step=exp.Literal.number(str(step))
            )

        def body(refs: sqlbuild.Refs) -> exp.Expression:
            d = refs["d"]
            away = sqlbuild.fill("(:mag + :d)", mag=mag, d=d)
            fits_away = "TRUE" if limit is None else f"{away.sql('postgres')} <= {limit}"
            new_mag = sqlbuild.fill(
                f"CASE WHEN get_byte(:h, 4) & 1 = 1 AND :mag - :d > 0 THEN :mag - :d"
                f" WHEN {fits_away} THEN :away ELSE :mag - :d END",
                h=refs["h"],
                mag=mag,
                d=d,
                away=away,
            )
            return sqlbuild.fill("CASE WHEN :v < 0 THEN -:n ELSE :n END", v=ctx.ref, n=new_mag)

        digest = sqlbuild.digest(ctx, self.name)
        value = sqlbuild.bind([("h", lambda _: digest), ("d", change)], body)
        if ctx.type.base not in INTEGER_MAX:  # NaN and infinities name no one: kept
            # (compared in the column's own base type: NaN equals NaN in PostgreSQL, and
            # no value is rendered as text)
            base = SPECIAL_TYPES[ctx.type.base]
            specials = ", ".join(f"CAST('{v}' AS {base})" for v in SPECIAL)
            value = sqlbuild.fill(
                f"CASE WHEN :v IN ({specials}) THEN CAST(:v AS NUMERIC) ELSE :m END",
                v=ctx.ref,
                m=value,
            )
        return sqlbuild.cast(value, ctx.type.sql)


def _step_and_limit(t: ColumnType) -> tuple[Decimal, Decimal | None]:
    """The smallest change and the largest magnitude the column holds."""
    if t.base in INTEGER_MAX:
        return Decimal(1), Decimal(INTEGER_MAX[t.base])
    if t.base == "numeric" and t.scale is not None:
        step = Decimal(1).scaleb(-t.scale)
        limit = Decimal(1).scaleb((t.precision or 1000) - t.scale) - step
        return step, limit if t.precision is not None else None
    return UNSCALED_STEP, None
