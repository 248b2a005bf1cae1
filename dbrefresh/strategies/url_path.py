"""url_path: the login in a web address's path masked like the login column, the rest kept.

Fediverse servers name every account by an address holding its login: Akkoma's
`users.ap_id` 'https://social.example/users/alice', its inbox '.../users/alice/inbox',
Lemmy's '/u/alice', Mastodon's and Misskey's '/@alice'; the same addresses fill other
tables and JSON documents (ActivityPub `actor`, `to`, `cc`, Misskey's
`mentionedRemoteUsers`). Kept, they gave every masked login away; `lorem` lost the
address and every join by it. `url_path` masks the path segment after one of the words
in `after` (`users` for '/users/alice/...', `@` for '/@alice') by `rule`, exactly as
the rule masks a bare login in another column, and keeps scheme, host, the words, the
rest of the path, query and fragment:

    ap_id:
      strategy: url_path
      after: [users, u, '@']
      rule: {strategy: hash, prefix: u}   # users.nickname's rule

'https://social.example/users/alice/inbox' becomes 'https://social.example/users/u3f9c.../inbox',
and 'alice' in `nickname` becomes 'u3f9c...': equal logins still agree. A remote account
'/@alice@remote.example' keeps its '@remote.example'. A value with no such segment is kept,
and so is one whose login is listed in `keep` (built-in accounts the login column keeps).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.nested import NestedRule, shorthand
from dbrefresh.strategies.prefixed import over_rest, rest_context
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

AT = "@"
WORD = re.compile(r"[A-Za-z0-9_.~-]{1,32}")


class SegmentRule(NestedRule):
    """The login's rule: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or not s.column_local or s.name == UrlPath.name,
            "mask a login inside a web address",
        )


class UrlPathParams(StrategyParams):
    after: list[str] = Field(min_length=1)
    """Path words the login follows ('users' for '/users/alice'), `@` for a segment
    starting with it ('/@alice')."""
    rule: SegmentRule
    """The login's rule, as the login column has it: a strategy name or {strategy: ...,
    its parameters}."""
    keep: list[str] = []
    """Logins kept as they are, as the login column keeps them (built-in accounts:
    'admin', 'guest')."""

    @field_validator("after")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        for word in value:
            if word != AT and not WORD.fullmatch(word):
                raise ValueError(
                    f"after: {word!r} is no path word (letters, digits, '_', '.', '~', '-')"
                )
        return value

    @field_validator("rule", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        return shorthand(value)

    @field_validator("rule")
    @classmethod
    def _known(cls, value: SegmentRule) -> SegmentRule:
        value.resolve()
        return value

    def pattern(self) -> str:
        """Before the login (scheme, host, path up to the word), the login, the rest."""
        words = [re.escape(w) + "/" for w in sorted(set(self.after) - {AT})]
        words += [AT] if AT in self.after else []
        return r"^([^?#]*?/(?:" + "|".join(words) + r"))([^/?#@]+)(.*)$"


def _part(text: exp.Expression, pattern: str, number: int) -> exp.Expression:
    """One group of the match (a constant subscript: sqlglot shifts a placeholder's)."""
    template = f"(regexp_match(:t, :p))[{number}]"
    return sqlbuild.fill(template, t=text.copy(), p=pattern)


def _masks(text: exp.Expression, params: UrlPathParams) -> exp.Expression:
    """Whether an address holds a login to mask: one after a listed word, not kept."""
    pattern = params.pattern()
    held = sqlbuild.fill("(:t ~ :p)", t=text.copy(), p=pattern)
    if not params.keep:
        return held
    kept = exp.In(
        this=_part(text, pattern, 2), expressions=[sqlbuild.literal(k) for k in params.keep]
    )
    return exp.Paren(this=exp.and_(held, exp.Not(this=exp.Paren(this=kept))))


@register
class UrlPath(ScalarStrategy[UrlPathParams]):
    name = "url_path"
    summary = "The login in a web address's path ('/users/alice') masked by a login rule."
    params_model = UrlPathParams

    def is_lossy(self, params: UrlPathParams) -> bool:
        strategy, sub = params.rule.resolve()
        return strategy.is_lossy(sub)

    def fits(self, params: UrlPathParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"url_path reads values as text; {ctx.column} is {ctx.type.sql}"]
        strategy, sub = params.rule.resolve()
        return [f"rule: {r}" for r in strategy.check(sub, rest_context(ctx))]

    def leak_sample_when(self, params: UrlPathParams, ctx: ColumnContext) -> exp.Expression:
        """Addresses holding a login not kept: the others are kept whole."""
        return _masks(sqlbuild.as_text(ctx.ref), params)

    def masked(self, params: UrlPathParams, ctx: ColumnContext) -> exp.Expression:
        strategy, sub = params.rule.resolve()
        text = sqlbuild.as_text(ctx.ref)
        pattern = params.pattern()
        login = sqlbuild.as_text(
            over_rest(strategy.compile(sub, rest_context(ctx)), _part(text, pattern, 2))
        )
        rebuilt = sqlbuild.fill(
            "(:before || :login || :after)",
            before=_part(text, pattern, 1),
            login=login,
            after=_part(text, pattern, 3),
        )
        value = exp.Case(ifs=[exp.If(this=_masks(text, params), true=rebuilt)], default=text.copy())
        return sqlbuild.fit_text(ctx, value, truncate=self.is_lossy(params))
