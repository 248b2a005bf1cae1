"""date_shift: move dates and timestamps by a keyed, never-zero number of days.

The shift depends on the value (same date, same shift, in every table) and lies in
[-max_days, -1] or [1, max_days]. Lossy: two dates may land on one day. With `by`, it
depends on another column's value instead (the row's id, a customer id): every date
keyed by it moves by the same days, so a row's start and end stay in order (CHECK
(ends >= starts)) and its durations stay true; a NULL there falls back to the date's
own value. A date not in the future never becomes one (OpenMRS refuses a future
birthdate): one within max_days before today moves back by 1..max_days keyed days, or
with `by` by its row's days but no later than today, so the row's order holds. Values
under `keep` stay as they are: sentinels an application compares against ('9999-12-31'
for "valid forever", '1900-01-01' for "unknown") name no one, and moved they would no
longer mean what the application reads them as.
With `text: true` the column is text holding ISO dates ('1987-03-14': Keycloak's
user_attribute 'birthdate', Redmine's date custom fields): each is shifted and written
back in that form; a value that is no date ('14.03.1987', '0000-00-00') becomes 16 hex
characters of the digest instead, as `hash` would make it.
With `ordinal: true` the column is an integer holding a date as YYYYMMDD (HAPI FHIR's
hfj_spidx_date.sp_value_low_date_ordinal 19870314, which its date searches compare):
each is shifted and written back in that form; an integer that is no such date is kept.
Under `by` naming the row's date column, the ordinal moves by the same days as it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

SHIFTABLE = {"date", "timestamp", "timestamptz"}
ORDINAL_TYPES = {"int4", "int8"}
ISO_DATE = len("1987-03-14")
# An ISO date of year 1 or later (make_date refuses year 0), month and day in range
_ISO_DATE = r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class DateShiftParams(StrategyParams):
    max_days: int = Field(default=30, ge=1, le=36500)
    """Largest shift in days, either way."""
    by: str | None = Field(default=None, min_length=1)
    """A column of the row whose value keys the shift (default: the date itself)."""
    keep: tuple[str, ...] = Field(default=(), max_length=20)
    """Values left as they are, written as ISO dates or timestamps: sentinels such as
    '9999-12-31' or '1900-01-01' (a timestamptz one in UTC unless it gives an offset)."""
    text: bool = False
    """The column is text holding ISO dates ('1987-03-14'), shifted and written back as
    such; a value that is no ISO date gets 16 hex characters of the digest."""
    ordinal: bool = False
    """The column is an integer holding a date as YYYYMMDD (19870314), shifted and
    written back as such; an integer that is no such date is kept."""

    @field_validator("keep")
    @classmethod
    def _iso_values(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                (date if len(value) == 10 else datetime).fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an ISO date or timestamp ('9999-12-31', "
                    "'2000-01-01 00:00:00+00')"
                ) from None
        return values


@register
class DateShift(ScalarStrategy[DateShiftParams]):
    name = "date_shift"
    summary = "Shift dates/timestamps by 1..max_days days either way, keyed per value."
    params_model = DateShiftParams

    def reads_only_its_column(self, params: DateShiftParams) -> bool:
        return params.by is None

    def fits(self, params: DateShiftParams, ctx: ColumnContext) -> list[str]:
        if params.ordinal:
            return self._ordinal_fits(params, ctx)
        if params.text and not ctx.type.is_text:
            return [f"date_shift with text: true needs text; {ctx.column} is {ctx.type.sql}"]
        if not params.text and ctx.type.base not in SHIFTABLE:
            return [
                f"date_shift needs a date or timestamp (or text: true for ISO dates kept as "
                f"text); {ctx.column} is {ctx.type.sql}"
            ]
        if params.text and ctx.type.length is not None and ctx.type.length < ISO_DATE:
            return [f"date_shift writes {ISO_DATE} characters; {ctx.column} is {ctx.type.sql}"]
        if params.by is not None and params.by not in ctx.row_columns:
            return [f"by: {ctx.table} has no column {params.by!r}"]
        return []

    def _ordinal_fits(self, params: DateShiftParams, ctx: ColumnContext) -> list[str]:
        if params.text or params.keep:
            return ["date_shift with ordinal: true takes neither text nor keep"]
        if ctx.type.base not in ORDINAL_TYPES or ctx.type.is_array:
            return [
                f"date_shift with ordinal: true needs int4 or int8; {ctx.column} is {ctx.type.sql}"
            ]
        if params.by is not None and params.by not in ctx.row_columns:
            return [f"by: {ctx.table} has no column {params.by!r}"]
        return []

    def leak_sample_when(
        self, params: DateShiftParams, ctx: ColumnContext
    ) -> exp.Expression | None:
        """A value under `keep` is kept by design (it names no one)."""
        if not params.keep or ctx.type.is_array:
            return None
        return sqlbuild.fill(":v NOT IN :kept", v=ctx.ref, kept=self._kept(params, ctx))

    def _kept(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        return exp.Tuple(
            expressions=[sqlbuild.cast(sqlbuild.literal(v), ctx.type.sql) for v in params.keep]
        )

    def masked(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        if params.ordinal:
            return self._shifted_ordinal(params, ctx)
        shifted = self._shifted_text(params, ctx) if params.text else self._shifted(params, ctx)
        if not params.keep:
            return shifted
        return sqlbuild.fill(
            "CASE WHEN :v IN :kept THEN :o ELSE :s END",
            v=ctx.ref,
            kept=self._kept(params, ctx),
            o=ctx.ref.copy(),
            s=shifted,
        )

    def _shifted_text(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        """An ISO date in text shifted and written back; anything else hex. The date is
        built as the month's first day plus the day minus one, which never fails, and
        is a date only when it reads back as the original ('1987-02-30' does not)."""
        text = sqlbuild.as_text(ctx.ref)
        built = sqlbuild.fill(
            "CASE WHEN :t ~ :iso THEN make_date(CAST(substr(:t2, 1, 4) AS int),"
            " CAST(substr(:t3, 6, 2) AS int), 1) + (CAST(substr(:t4, 9, 2) AS int) - 1) END",
            t=text,
            iso=_ISO_DATE,
            t2=text.copy(),
            t3=text.copy(),
            t4=text.copy(),
        )

        def body(d: exp.Column) -> exp.Expression:
            shifted = self._not_future(
                params, ctx, d, sqlbuild.fill("CURRENT_DATE"), _plus_days("date")
            )
            return sqlbuild.fill(
                "CASE WHEN to_char(:d, 'YYYY-MM-DD') = :t THEN to_char(:s, 'YYYY-MM-DD')"
                " ELSE encode(substr(:h, 1, 8), 'hex') END",
                d=d.copy(),
                t=text.copy(),
                s=shifted,
                h=sqlbuild.digest(ctx, self.name),
            )

        return sqlbuild.fit_text(ctx, sqlbuild.let("d", built, body), truncate=False)

    def _shifted_ordinal(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        """A YYYYMMDD integer shifted and written back as one; any other integer kept.
        The date is built as in _shifted_text, from its parts checked in range first."""
        v = ctx.ref
        built = sqlbuild.fill(
            "CASE WHEN :v BETWEEN 10000101 AND 99991231 AND (:v2 / 100) % 100 BETWEEN 1 AND 12"
            " AND :v3 % 100 BETWEEN 1 AND 31 THEN make_date(CAST(:v4 / 10000 AS int),"
            " CAST((:v5 / 100) % 100 AS int), 1) + CAST(:v6 % 100 - 1 AS int) END",
            v=v.copy(),
            v2=v.copy(),
            v3=v.copy(),
            v4=v.copy(),
            v5=v.copy(),
            v6=v.copy(),
        )

        def body(d: exp.Column) -> exp.Expression:
            shifted = self._not_future(
                params, ctx, d, sqlbuild.fill("CURRENT_DATE"), _plus_days("date")
            )
            return sqlbuild.cast(
                sqlbuild.fill(
                    "CASE WHEN CAST(to_char(:d, 'YYYYMMDD') AS int) = :v"
                    " THEN CAST(to_char(:s, 'YYYYMMDD') AS int) ELSE :v2 END",
                    d=d.copy(),
                    v=v.copy(),
                    s=shifted,
                    v2=v.copy(),
                ),
                ctx.type.sql,
            )

        return sqlbuild.let("d", built, body)

    def _shift(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        """The days to move by: keyed by the value, or by the `by` column."""
        days = self._days(ctx, params.max_days)
        if params.by is not None:
            keyed = replace(ctx, column=params.by, type=ctx.row_columns[params.by])
            days = sqlbuild.fill(
                "CASE WHEN :b IS NULL THEN :d ELSE :k END",
                b=keyed.ref,
                k=self._days(keyed, params.max_days),
                d=days,
            )
        return days

    def _shifted(self, params: DateShiftParams, ctx: ColumnContext) -> exp.Expression:
        # Uniform in [-m, -1] and [1, m], reading the digest once (no binding subquery).
        if ctx.type.base == "date":
            now = sqlbuild.fill("CURRENT_DATE")
        else:
            now = sqlbuild.fill("LOCALTIMESTAMP" if ctx.type.base == "timestamp" else "now()")
        value = self._not_future(params, ctx, ctx.ref, now, _plus_days(ctx.type.base))
        return sqlbuild.cast(value, ctx.type.sql)

    def _not_future(
        self,
        params: DateShiftParams,
        ctx: ColumnContext,
        v: exp.Expression,
        now: exp.Expression,
        plus: Callable[[exp.Expression, exp.Expression], exp.Expression],
    ) -> exp.Expression:
        """v moved by its days, but a value not after `now` never moves past it: one
        within max_days before now moves back by 1..max_days keyed days instead (with
        `by`, by its row's days but no further than now, so a row's dates keep their
        order). One digest per CASE branch, of which one runs: one sha256 per value."""
        if params.by is not None:
            recent = sqlbuild.fill(
                "LEAST(:a, :n)", a=plus(v.copy(), self._shift(params, ctx)), n=now.copy()
            )
        else:
            back = sqlbuild.fill(
                "-(1 + CAST(:x % :m AS integer))",
                x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
                m=params.max_days,
            )
            recent = plus(v.copy(), back)
        return sqlbuild.fill(
            "CASE WHEN :v <= :n AND :v2 > :edge THEN :recent ELSE :ahead END",
            v=v.copy(),
            n=now.copy(),
            v2=v.copy(),
            edge=plus(now.copy(), sqlbuild.literal(-params.max_days)),
            recent=recent,
            ahead=plus(v.copy(), self._shift(params, ctx)),
        )

    def _days(self, ctx: ColumnContext, max_days: int) -> exp.Expression:
        return sqlbuild.fill(
            "dbrefresh.shift_days(:x, :m)",
            x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
            m=max_days,
        )


def _plus_days(base: str) -> Callable[[exp.Expression, exp.Expression], exp.Expression]:
    """v plus d days: for a timestamp in hours, not days, as a day interval follows the
    session's TimeZone over DST."""
    if base == "date":
        return lambda v, d: sqlbuild.fill("(:v + :d)", v=v, d=d)
    return lambda v, d: sqlbuild.fill("(:v + make_interval(hours => 24 * :d))", v=v, d=d)
