"""coordinates: cut every decimal number inside text to a few fraction digits, in place.

Traccar's geofences keep their shape as WKT ('CIRCLE (49.766829 7.706793, 150.0)',
POLYGON, LINESTRING) and ODK/KoBo forms their GPS answers as geopoint strings
('-25.897701 32.69571 12.0 4.0'): read as phone numbers, they became lorem and the
applications no longer parsed them. Cutting each number's fraction to `decimals` digits
(1: about 11 km, as `generalize` to 0.1 degree does for numbers) keeps the text a valid
geometry; radius, altitude and accuracy are cut alike. Toward zero, like `generalize`,
and not leak-checked for the same reason: values already that coarse stay.
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.generalize import POINT, POINT_HINT
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class CoordinatesParams(StrategyParams):
    decimals: int = Field(default=1, ge=0, le=6)
    """Fraction digits each decimal number keeps (1: about 11 km)."""


def pattern(decimals: int) -> str:
    """The PostgreSQL regular expression of a number with more fraction digits: what
    the cut changes (its first group is kept)."""
    if decimals == 0:
        return r"([0-9])\.[0-9]+"
    return rf"([0-9]\.[0-9]{{{decimals}}})[0-9]+"


@register
class Coordinates(ScalarStrategy[CoordinatesParams]):
    name = "coordinates"
    summary = "Cut every decimal number in text (WKT, GPS strings) to `decimals` fraction digits."
    params_model = CoordinatesParams
    leak_checked = False

    def fits(self, params: CoordinatesParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            reason = f"coordinates rewrites numbers in text; {ctx.column} is {ctx.type.sql}"
            return [reason + (POINT_HINT if ctx.type.base == POINT else "")]
        return []

    def masked(self, params: CoordinatesParams, ctx: ColumnContext) -> exp.Expression:
        value = sqlbuild.fill(
            "regexp_replace(:v, :re, :to, 'g')",
            v=sqlbuild.as_text(ctx.ref),
            re=pattern(params.decimals),
            to="\\1",
        )
        return sqlbuild.fit_text(ctx, value, truncate=False)
