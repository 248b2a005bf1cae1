"""lorem: free text replaced by dictionary words, as long as the original.

The words come from a fixed text of dictionary words (dbrefresh.lorem_text), from a
word chosen by the keyed digest; the original's length is kept (past 4,000 characters
a fixed sentence repeats).
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.dictpick import NoParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


@register
class Lorem(ScalarStrategy[NoParams]):
    name = "lorem"
    summary = "Dictionary words from a keyed place of a fixed text, cut to the original's length."
    params_model = NoParams

    def fits(self, params: NoParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"lorem produces text; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: NoParams, ctx: ColumnContext) -> exp.Expression:
        orig = sqlbuild.as_text(ctx.ref)
        words = sqlbuild.dictionary("word")
        # A substring of a constant text (10,000 words, computed at planning) from the
        # keyed word on: one substring() per row, the digest read once.
        text = sqlbuild.fill(
            "dbrefresh.lorem(:x, greatest(length(:o), 1), dbrefresh.lorem_text(:w),"
            " dbrefresh.lorem_starts(:w))",
            x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
            o=orig,
            w=words,
        )
        # The text starts with a lower-case word, so when the original is that very
        # text, initcap() of the original differs from it.
        value = sqlbuild.fill("COALESCE(NULLIF(:t, :o), initcap(:o))", t=text, o=orig)
        return sqlbuild.fit_text(ctx, value, truncate=True)
