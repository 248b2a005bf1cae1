"""Base of the strategies that pick a fake value from a dictionary (names, places, ...).

The pick is chosen by the keyed digest of the original and never equals it. Lossy by
nature (thousands of entries), so refused on unique columns. A single pick for a
varchar(n) or char(n) column draws from the entries that fit (a whole postcode, not one
cut short); several are joined and cut to n.
A single pick reads the digest once (dbrefresh.pick_x); several picks (full_name)
bind it once with a subquery and read 3 bytes each.
"""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.locales import Locales
from dbrefresh.strategies.scalar import ScalarStrategy


class NoParams(StrategyParams):
    """This strategy takes no parameters."""


class DictionaryParams(StrategyParams):
    locale: Locales = None
    """Draw from these locales' dictionaries (de_DE, or a list); default: the rules
    file's `defaults.locale`, else all locales mixed."""


class DictionaryStrategy(ScalarStrategy[DictionaryParams]):
    """Pick one entry of `dictionaries` per value; several are joined by a space."""

    params_model = DictionaryParams
    dictionaries: ClassVar[tuple[str, ...]]

    def fits(self, params: DictionaryParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"{self.name} produces text; {ctx.column} is {ctx.type.sql}"]
        return []

    def masked(self, params: DictionaryParams, ctx: ColumnContext) -> exp.Expression:
        orig = sqlbuild.as_text(ctx.ref)
        digest = sqlbuild.digest(ctx, self.name)
        locales = ctx.locales(params.locale)
        if len(self.dictionaries) == 1:
            # One pick reads the digest once: no binding subquery needed.
            name = self.dictionaries[0]
            entries = sqlbuild.dictionary(name, fit=ctx.type.length, locales=locales)
            value = sqlbuild.pick_x(entries, sqlbuild.bits(digest), orig)
            return sqlbuild.fit_text(ctx, value, truncate=True)

        def body(h: exp.Column) -> exp.Expression:
            # Each part differs from what the original holds at that place, so the
            # whole never equals the original.
            joined = sqlbuild.pick(self.dictionaries[0], h, 0, orig, locales)
            for i, name in enumerate(self.dictionaries[1:], start=1):
                rest = sqlbuild.fill("substr(:o, length(:j) + 2)", o=orig, j=joined)
                part = sqlbuild.pick(name, h, 3 * i, rest, locales)
                joined = sqlbuild.fill("(:a || ' ' || :b)", a=joined, b=part)
            return joined

        value = sqlbuild.let("h", digest, body)
        return sqlbuild.fit_text(ctx, value, truncate=True)
