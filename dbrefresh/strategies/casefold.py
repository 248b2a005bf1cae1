"""A refusal for strategies that mask case variants alike (email's fold_case).

Folding case maps 'Ann@X.org' and 'ann@x.org' to one output: right where they name one
person, a collision on a column unique case-sensitively that holds both. Whether it
does is a property of the data, not of the rules, so it is checked on the table itself
(partitions and all), once per rule table (Strategy.table_refusal: a statement per
partition scanned every row once per partition), before anything changes: min and max
of each folded group, which a hash aggregate computes without sorting the table.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext


def case_variants_refusal(ctx: ColumnContext, folded: exp.Expression) -> exp.Expression:
    """A message when two values of the column are equal once `folded` (the value
    lower-cased) but differ as bytes; NULL otherwise. The values are not named: they
    are personal data."""
    raw = sqlbuild.fill('(CAST(:v AS TEXT) COLLATE "C")', v=exp.column(ctx.column, quoted=True))
    variants = on_table(
        ctx,
        sqlbuild.fill(
            "(SELECT EXISTS (SELECT 1 FROM _dbr_t GROUP BY :f HAVING min(:r) <> max(:r2)))",
            f=folded,
            r=raw,
            r2=raw.copy(),
        ),
    )
    return sqlbuild.fill(
        "CASE WHEN :variants THEN :message END",
        variants=variants,
        message=(
            "fold_case masks values differing only in case alike, but the column is unique "
            "case-sensitively and holds such values: they would collide (drop fold_case, "
            "or make the values unique in lower case)"
        ),
    )


def on_table(ctx: ColumnContext, query: exp.Expression) -> exp.Expression:
    """`query` with its table _dbr_t read as the rule table (ctx.table)."""
    schema, _, name = ctx.table.partition(".")
    for placeholder in query.find_all(exp.Table):
        if placeholder.name == "_dbr_t":
            placeholder.replace(
                exp.Table(
                    this=exp.to_identifier(name, quoted=True),
                    db=exp.to_identifier(schema, quoted=True),
                )
            )
    return query
