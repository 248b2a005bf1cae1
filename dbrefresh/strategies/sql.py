"""sql: a custom SQL expression over the row's own columns, checked before use.

The text is parsed by sqlglot and refused unless it is one expression built from an
allow-list (sqlexpr.py) that reads only columns of this table; it is then rendered
from the AST, so what runs is exactly what was checked.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild, sqlexpr
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class SqlParams(StrategyParams):
    expression: str = Field(min_length=1, max_length=4000)
    """One SQL expression over the row's columns, e.g. "upper(left(name, 1)) || '.'"."""
    injective: bool = False
    """Declare the expression injective (allowed on unique columns); you vouch for it."""
    changes_when: str | None = Field(default=None, min_length=1, max_length=4000)
    """A condition over the row's original columns: the rows the expression changes, and
    verify's leak check samples (the others are kept as they are on purpose: URLs
    without an address among those whose address is replaced). Default: every row."""

    @field_validator("expression", "changes_when")
    @classmethod
    def _allowed(cls, value: str | None) -> str | None:
        if value is not None:
            sqlexpr.parse_expression(value)
        return value


@register
class Sql(Strategy[SqlParams]):
    name = "sql"
    column_local = False  # reads other columns of the row, or by name
    summary = "A custom SQL expression over the row's own columns (allow-listed functions)."
    params_model = SqlParams

    def is_lossy(self, params: SqlParams) -> bool:
        return not params.injective

    def check(self, params: SqlParams, ctx: ColumnContext) -> list[str]:
        tree = sqlexpr.parse_expression(params.expression)
        read = sqlexpr.columns(tree)
        if params.changes_when is not None:
            read += sqlexpr.columns(sqlexpr.parse_expression(params.changes_when))
        unknown = sorted({c for c in read if c not in ctx.row_columns})
        if unknown:
            return [f"sql reads columns not in {ctx.table}: {', '.join(unknown)}"]
        return []

    def compile(self, params: SqlParams, ctx: ColumnContext) -> exp.Expression:
        tree = sqlexpr.parse_expression(params.expression)
        unknown = sorted({c for c in sqlexpr.columns(tree) if c not in ctx.row_columns})
        if unknown:
            raise sqlexpr.RefusedExpression(f"sql reads columns not in {ctx.table}: {unknown}")
        value = sqlbuild.cast(exp.Paren(this=sqlexpr.quoted(tree)), ctx.type.sql)
        return sqlbuild.null_guard(ctx, value)

    def leak_sample_when(self, params: SqlParams, ctx: ColumnContext) -> exp.Expression | None:
        """The rows `changes_when` says the expression changes (None: every row)."""
        if params.changes_when is None:
            return None
        return exp.Paren(this=sqlexpr.quoted(sqlexpr.parse_expression(params.changes_when)))
