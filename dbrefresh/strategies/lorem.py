"""lorem: free text replaced by dictionary words, about as long as the original."""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.dictpick import NoParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

WORDS = 6  # words drawn per value (4 digest bytes each), repeated to the length


@register
class Lorem(ScalarStrategy[NoParams]):
    name = "lorem"
    summary = "Words from the dictionary, repeated to the original's length."
    params_model = NoParams

    def fits(self, params: NoParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"lorem produces text; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: NoParams, ctx: ColumnContext) -> exp.Expression:
        orig = sqlbuild.as_text(ctx.ref)

        def body(h: exp.Column) -> exp.Expression:
            words = [sqlbuild.pick("word", h, 4 * i, exp.Null()) for i in range(WORDS)]
            sentence = sqlbuild.fill(
                "concat_ws(' ', :a, :b, :c, :d, :e, :f)", **dict(zip("abcdef", words, strict=True))
            )
            # The dictionary words are lower-case ASCII; an original made of the very same
            # words in the very same order is the only way to be equal: then capitalize.
            text = sqlbuild.fill(
                "left(repeat(:s || ' ', 1 + length(:o) / 8), greatest(length(:o), 1))",
                s=sentence,
                o=orig,
            )
            return sqlbuild.fill("COALESCE(NULLIF(:t, :o), initcap(:t))", t=text, o=orig)

        value = sqlbuild.let("h", sqlbuild.digest(ctx, self.name), body)
        return sqlbuild.fit_text(ctx, value, truncate=True)
