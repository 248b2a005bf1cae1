"""derived: a column the application computes from other columns, recomputed from the
row's MASKED values.

A full-text `search_vector` filled by a trigger from first_name and last_name (Rails'
pg_search, Django's SearchVectorField), a `slug`, an `email_lower`: masking runs with
triggers off, so nothing rebuilds them, and `sql` reads the originals (and is refused
for masked columns, rules/originals.py). `derived` takes the same allow-listed
expression as `sql` (sqlexpr.py), but the plan evaluates it over the masked row: an
outer SELECT over the SELECT that masks every other column (rules/relsteps.py), so
`to_tsvector('simple', first_name || ' ' || last_name)` indexes the masked names, as
the trigger would have. The value holds only what the masked row holds: it is not
leak-sampled (its original, a vector of the real names, is gone with the rewrite).
"""

from __future__ import annotations

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild, sqlexpr
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class DerivedParams(StrategyParams):
    expression: str = Field(min_length=1, max_length=4000)
    """One SQL expression over the row's masked columns, e.g.
    "to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"."""

    @field_validator("expression")
    @classmethod
    def _allowed(cls, value: str) -> str:
        sqlexpr.parse_expression(value)
        return value


def reads(params: DerivedParams) -> list[str]:
    """The columns the expression reads (their masked values)."""
    return sorted(set(sqlexpr.columns(sqlexpr.parse_expression(params.expression))))


@register
class Derived(Strategy[DerivedParams]):
    name = "derived"
    column_local = False  # reads other columns of the row
    reads_masked_row = True
    leak_checked = False  # computed from masked values only (see the module doc)
    summary = "Recompute the column from the row's masked values (a search vector, a slug)."
    params_model = DerivedParams

    def check(self, params: DerivedParams, ctx: ColumnContext) -> list[str]:
        read = reads(params)
        unknown = [c for c in read if c not in ctx.row_columns]
        if unknown:
            return [f"derived reads columns not in {ctx.table}: {', '.join(unknown)}"]
        if ctx.column in read:
            return [
                f"derived reads {ctx.column} itself, whose value it replaces: read the "
                "columns it is computed from"
            ]
        return []

    def compile(self, params: DerivedParams, ctx: ColumnContext) -> exp.Expression:
        tree = sqlexpr.parse_expression(params.expression)
        if problems := self.check(params, ctx):
            raise sqlexpr.RefusedExpression(problems[0])
        value = sqlbuild.cast(exp.Paren(this=sqlexpr.quoted(tree)), ctx.type.sql)
        return sqlbuild.null_guard(ctx, value)  # a row the application never indexed stays so
