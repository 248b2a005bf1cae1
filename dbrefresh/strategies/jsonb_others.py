"""jsonb's `others`: the strategy for the values of a text column that are no JSON.

Moodle's mdl_logstore_standard_log.other holds JSON on rows written since an upgrade and
PHP's serialize() output on older ones; Sentry's nodestore_node.data plain JSON on some
rows and base64 of zlib-compressed JSON on others. The jsonb rule masks the documents
path by path and wrote NULL (or the JSON text `null`, jsonb_stray.py) for every other
value: a third of the log emptied. `others` names the strategy those values get instead
(`php_serialized`, a `constant` empty document, `null`):

    other:
      strategy: jsonb
      paths: {username: {strategy: hash, prefix: u}}
      others: {strategy: php_serialized, keys: [email, username]}

A value is one of the others when it does not parse as JSON; a JSON string is still no
document and goes the jsonb_stray way. The value is parsed once per row either way.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.nested import NestedRule

JSONB = "jsonb"


class OtherRule(NestedRule):
    """The strategy of the values that are no JSON: a name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or not s.column_local or s.name == JSONB,
            "mask the values jsonb cannot parse",
        )


def problems(rule: OtherRule, ctx: ColumnContext) -> list[str]:
    """Why `others` does not fit the column: only JSON kept in text or bytea has such
    values."""
    if not ctx.type.is_text and not (ctx.type.base == "bytea" and not ctx.type.is_array):
        return [f"others: {ctx.column} is {ctx.type.sql}, whose every value is JSON"]
    strategy, sub = rule.resolve()
    return [f"others: {r}" for r in strategy.check(sub, ctx)]


def leak_when(rule: OtherRule, ctx: ColumnContext, parsed: exp.Expression) -> exp.Expression:
    """The values `others` changes (and would sample), over the parsed document."""
    strategy, sub = rule.resolve()
    if strategy.keeps_value or not strategy.leak_checked:
        return exp.false()
    own = strategy.leak_sample_when(sub, ctx)
    unparsed = sqlbuild.fill(":p IS NULL", p=parsed)
    return unparsed if own is None else sqlbuild.fill(":u AND (:o)", u=unparsed, o=own)


def masked_text(
    rule: OtherRule, ctx: ColumnContext, parsed: exp.Expression, documents: exp.Expression
) -> exp.Expression:
    """The value masked by `others` when it is no JSON (`parsed` is NULL), else
    `documents` (the masked document's text, over `parsed`)."""
    strategy, sub = rule.resolve()
    other = sqlbuild.cast(strategy.compile(sub, ctx), "text")
    return sqlbuild.fill("CASE WHEN :p IS NULL THEN :o ELSE :d END", p=parsed, o=other, d=documents)
