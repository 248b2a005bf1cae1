"""prefixed: a prefix kept ('id:', 'email:'), the rest masked as the bare value would be.

Sentry's `sentry_filtervalue.value` holds the `sentry:user` tag as 'id:<ident>',
'email:<address>', 'username:<name>' or 'ip:<address>', and Sentry parses the prefix
to find the event user. `hash` over the whole value lost the prefix, and the rest no
longer matched `sentry_eventuser.ident` (hashed on its own). `prefixed` keeps the
prefix and masks the rest by that prefix's rule, exactly as the rule masks a bare
value in another column (strategies key their digests by their name, not the column):

    value:
      strategy: prefixed
      cases:
        'id:': hash                                # like sentry_eventuser.ident
        'email:': {strategy: email, unique: true}  # like sentry_eventuser.email
        'ip:': ip
      default: hash                                # anything else (default: keep)

The longest matching prefix wins. The prefix is kept, so values of different prefixes
stay apart: injective when every case and the default are.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import case_sql, sqlbuild
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy
from dbrefresh.strategies.nested import CaseRulesParams, NestedRule
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

REST = "_dbr_rest"  # the column a case's rule is compiled over, then replaced by the rest
MAX_PREFIX = 64  # a webhook's 'https://<tenant>.webhook.office.com/'
_TEXT = ColumnType("text", "text", "S")


class PrefixRule(NestedRule):
    """One prefix's rule: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or not s.column_local or s.name == Prefixed.name,
            "be a case of prefixed",
        )


class PrefixedParams(CaseRulesParams):
    cases: dict[str, PrefixRule] = Field(min_length=1)
    """Prefix ('id:') -> the rule for the rest of the value: a strategy name, or
    {strategy: ..., its parameters}."""
    default: PrefixRule = PrefixRule(strategy="keep")
    """The strategy for a whole value with no listed prefix (default: keep)."""

    @field_validator("cases")
    @classmethod
    def _prefixes(cls, value: dict[str, PrefixRule]) -> dict[str, PrefixRule]:
        for prefix, rule in value.items():
            if not 0 < len(prefix) <= MAX_PREFIX:
                raise ValueError(f"prefix {prefix!r}: 1 to {MAX_PREFIX} characters")
            rule.resolve()
        return value

    @field_validator("default")
    @classmethod
    def _known(cls, value: PrefixRule) -> PrefixRule:
        value.resolve()
        return value

    def resolved(self) -> list[tuple[str | None, Strategy[Any], Any]]:
        """(prefix, strategy, parameters), the longest prefix first, the default last."""
        prefixes = sorted(self.cases, key=lambda p: (-len(p), p))
        return [
            *((p, *self.cases[p].resolve()) for p in prefixes),
            (None, *self.default.resolve()),
        ]


def _starts(text: exp.Expression, prefix: str) -> exp.Expression:
    return sqlbuild.fill("(left(:t, :n) = :p)", t=text, n=len(prefix), p=prefix)


def _rest(text: exp.Expression, prefix: str) -> exp.Expression:
    """The value after its prefix."""
    return sqlbuild.fill("substr(:t, :n)", t=text.copy(), n=len(prefix) + 1)


def rest_context(ctx: ColumnContext) -> ColumnContext:
    """The context a case's rule sees: unbounded text (the whole is fitted after)."""
    return ColumnContext(
        ctx.table,
        REST,
        _TEXT,
        True,
        ctx.unique,
        ctx.row_columns,
        ctx.key_setting,
        ctx.locale,
        ctx.distinct_columns,
    )


def over_rest(compiled: exp.Expression, value: exp.Expression) -> exp.Expression:
    """`compiled` (over the column REST) with REST replaced by `value`."""
    return compiled.transform(
        lambda node: (
            value.copy()
            if isinstance(node, exp.Column) and node.name == REST and not node.table
            else node
        )
    )


@register
class Prefixed(ScalarStrategy[PrefixedParams]):
    name = "prefixed"
    summary = "A prefix kept ('id:', 'email:'), the rest masked by that prefix's rule."
    params_model = PrefixedParams

    def is_lossy(self, params: PrefixedParams) -> bool:
        return case_sql.lossy(params.resolved())

    def fits(self, params: PrefixedParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"prefixed reads values as text; {ctx.column} is {ctx.type.sql}"]
        return case_sql.reasons(
            params.resolved(), lambda prefix: ctx if prefix is None else rest_context(ctx)
        )

    def _picked(self, params: PrefixedParams, text: exp.Expression, prefix: str | None) -> Any:
        """The values one case masks: its prefix, no longer listed prefix before it."""
        resolved = [p for p, _, _ in params.resolved() if p is not None]
        before = resolved if prefix is None else resolved[: resolved.index(prefix)]
        parts: list[exp.Expression] = [
            exp.Not(this=_starts(text.copy(), p)) for p in before if p.startswith(prefix or "")
        ]
        if prefix is not None:
            parts.append(_starts(text.copy(), prefix))
        return exp.Paren(this=exp.and_(*parts)) if parts else exp.true()

    def leak_sample_when(self, params: PrefixedParams, ctx: ColumnContext) -> exp.Expression:
        """Values a case changes: no value `keep` keeps."""
        text = sqlbuild.as_text(ctx.ref)

        def own(prefix: str | None, strategy: Strategy[Any], sub: Any) -> exp.Expression | None:
            if prefix is None:
                return strategy.leak_sample_when(sub, ctx)
            found = strategy.leak_sample_when(sub, rest_context(ctx))
            return over_rest(found, _rest(text, prefix)) if found is not None else None

        return case_sql.changed_when(
            params.resolved(), lambda prefix: self._picked(params, text, prefix), own
        )

    def masked(self, params: PrefixedParams, ctx: ColumnContext) -> exp.Expression:
        text = sqlbuild.as_text(ctx.ref)

        def then(prefix: str | None, strategy: Strategy[Any], sub: Any) -> exp.Expression:
            if prefix is None:  # the default: the whole value
                return sqlbuild.as_text(strategy.compile(sub, ctx))
            value = sqlbuild.as_text(
                over_rest(strategy.compile(sub, rest_context(ctx)), _rest(text, prefix))
            )
            return sqlbuild.fill("(:p || :v)", p=prefix, v=value)

        case = case_sql.case_of(
            params.resolved(), lambda prefix: _starts(text.copy(), prefix), then
        )
        return sqlbuild.fit_text(ctx, case, truncate=self.is_lossy(params))
