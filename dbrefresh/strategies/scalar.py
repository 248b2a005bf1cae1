"""Base for strategies that mask one value at a time: NULL handling and arrays, once.

A subclass writes `fits()` and `masked()` for one non-NULL scalar value; this class
adds the NULL guard and maps arrays element by element (an ordered ARRAY(SELECT ...
FROM unnest(...) WITH ORDINALITY) subquery, its shape restored when it has several
dimensions or does not start at 1), so every strategy treats them alike.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace
from typing import ClassVar

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, P, Strategy

ELEMENT = "_dbr_elem"
ORDINAL = "_dbr_ord"


def element_context(ctx: ColumnContext) -> ColumnContext:
    """The context of one array element: nullable, not unique, named ELEMENT."""
    return replace(
        ctx, column=ELEMENT, type=sqlbuild.element_type(ctx.type), nullable=True, unique=False
    )


def _of_elements(reason: str, column: str) -> str:
    """A refusal for an array's elements in the user's terms: `email produces text; the
    elements of roles are "Role"`, not the internal `_dbr_elem is "Role"`."""
    elements = f"the elements of {column}"
    return reason.replace(f"{ELEMENT} is ", f"{elements} are ").replace(ELEMENT, elements)


class ScalarStrategy(Strategy[P]):
    """A strategy defined on one value; arrays, NULLs and blank text are handled here."""

    # Blank text ('') names no one and often means "none": WordPress's post_password ''
    # (no password) hashed made every post password-protected, an empty address_2 got a
    # street. Strategies that mask blanks on purpose, or handle them their own way, say
    # False.
    keeps_blank: ClassVar[bool] = True
    blank_spaces: ClassVar[bool] = False  # whitespace-only text counts as blank too

    def check(self, params: P, ctx: ColumnContext) -> list[str]:
        if ctx.type.is_array:
            elem = element_context(ctx)
            return [_of_elements(r, ctx.column) for r in self.fits(params, elem)]
        return self.fits(params, ctx)

    def _value(self, params: P, ctx: ColumnContext) -> exp.Expression:
        """masked(), with a blank text value kept as it is."""
        masked = self.masked(params, ctx)
        if not (self.keeps_blank and ctx.type.is_text):
            return masked
        blank = "btrim(CAST(:r AS TEXT)) = ''" if self.blank_spaces else ":r = ''"
        kept = sqlbuild.fill(
            f"CASE WHEN {blank} THEN :r2 ELSE :m END", r=ctx.ref, r2=ctx.ref.copy(), m=masked
        )
        return sqlbuild.cast(kept, ctx.type.sql)

    def compile(self, params: P, ctx: ColumnContext) -> exp.Expression:
        if not ctx.type.is_array:
            return sqlbuild.null_guard(ctx, self._value(params, ctx))
        elem = element_context(ctx)
        each = sqlbuild.null_guard(elem, self._value(params, elem))
        flat = sqlbuild.cast(
            sqlbuild.fill(
                f"ARRAY(SELECT :each FROM unnest(:ref) WITH ORDINALITY AS _dbr_a({ELEMENT}, "
                f"{ORDINAL}) ORDER BY {ORDINAL})",
                each=each,
                ref=ctx.ref,
            ),
            ctx.type.sql,
        )
        return sqlbuild.null_guard(ctx, restore_shape(ctx, flat))

    @abstractmethod
    def fits(self, params: P, ctx: ColumnContext) -> list[str]:
        """Reasons the strategy cannot produce this scalar type (empty: it fits)."""

    @abstractmethod
    def masked(self, params: P, ctx: ColumnContext) -> exp.Expression:
        """The masked value for a non-NULL input, cast to ctx.type.sql."""


def restore_shape(ctx: ColumnContext, flat: exp.Expression) -> exp.Expression:
    """An array masked element by element into `flat` (one dimension from 1, cast to the
    column's type), in the original's shape again: unnest() flattens, so other shapes
    than the usual [1:n] are rebuilt (CASE evaluates one branch, so the elements are
    masked once either way). The shape is read as the masked type: an array of a domain
    is masked as an array of its base type (ColumnType.for_masked_copy), and both
    arguments must agree."""
    shape = sqlbuild.cast(ctx.ref.copy(), ctx.type.sql)
    reshaped = sqlbuild.cast(
        sqlbuild.fill("dbrefresh.reshape_text(:a, :r)", a=flat.copy(), r=shape),
        ctx.type.sql,
    )
    array = sqlbuild.fill(
        "CASE WHEN COALESCE(array_ndims(:r1), 1) = 1 AND COALESCE(array_lower(:r2, 1), 1) = 1"
        " THEN :a1 ELSE :b END",
        r1=ctx.ref,
        r2=ctx.ref.copy(),
        a1=flat,
        b=reshaped,
    )
    return sqlbuild.cast(array, ctx.type.sql)
