"""switch: a strategy per value of another column (entity-attribute-value tables).

WordPress's wp_usermeta, Magento's *_varchar, Drupal's field tables, many "settings"
tables: one `value` column holds a first name in one row, a phone number in the next
and a feature flag in the third, as the row's `key` says. No single strategy fits the
column; `switch` picks one per key:

    meta_value:
      strategy: switch
      by: meta_key
      cases: {first_name: first_name, last_name: last_name, phone: phone,
              session_tokens: "null"}
      default: keep          # every other key (and a NULL key)

A case key holding `*` is a pattern (`uid:*:ip`: `*` matches any run of characters,
`\\*` a star itself): Redis-like stores (NodeBB's legacy_zset) name one kind of value by
a family of keys, one per user. Exact keys are tried first, then patterns in file order.

It compiles to one CASE over the key's text. Leak samples are taken from rows whose
value a case changes, so the keys a case keeps are not counted as leaks; and from rows
the `default: keep` takes whose value is an email address or a phone number: a key no
one listed (a label the sample never met, NULL) kept Tryton's contacts by thousands
while verify said "0 survivors".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import case_sql, casefold, sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.email import SERVICE_SENDER
from dbrefresh.strategies.forms import is_form
from dbrefresh.strategies.nested import CaseRulesParams, NestedRule
from dbrefresh.strategies.registry import register

WILDCARD = "*"
LIKE_ESCAPE = "!"  # LIKE's escape character in compiled patterns (no backslash games)


def is_pattern(key: str) -> bool:
    """Whether a case key is a pattern: it holds a `*` not escaped as `\\*`."""
    return WILDCARD in key.replace("\\" + WILDCARD, "")


def exact_key(key: str) -> str:
    """The text an exact case key matches (`\\*` written for a star)."""
    return key.replace("\\" + WILDCARD, WILDCARD)


def literal_key(text: str) -> str:
    """A case key matching exactly `text`, a star in it escaped (for keys taken from data)."""
    return text.replace(WILDCARD, "\\" + WILDCARD)


def like_pattern(key: str) -> str:
    """A pattern case key as a LIKE pattern (escape LIKE_ESCAPE): `*` becomes `%`,
    `%`, `_` and the escape character itself match only themselves."""
    out = []
    for i, part in enumerate(key.split("\\" + WILDCARD)):
        if i:
            out.append(WILDCARD)
        for char in part:
            if char in ("%", "_", LIKE_ESCAPE):
                out.append(LIKE_ESCAPE + char)
            else:
                out.append("%" if char == WILDCARD else char)
    return "".join(out)


def ordered_keys(keys: list[str]) -> tuple[list[str], list[str]]:
    """(exact keys, patterns in file order): exact keys win over patterns."""
    return [k for k in keys if not is_pattern(k)], [k for k in keys if is_pattern(k)]


class CaseRule(NestedRule):
    """One case: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or s.name == Switch.name, "be a case of switch"
        )


FAIL = "fail"  # default: fail: a key no case lists refuses the run
MIN_PHONE_DIGITS = 7
# A phone number told from counts, dates and epochs ('42', '2024-05-01', '1700000000'):
# an international '+' or a trunk '0' first
_PHONE = r"^(\+|\(?0)[0-9 ()./-]*$"


def contact_form(text: exp.Expression) -> exp.Expression:
    """Whether the text is a person's email address (forms' test; a service's own sender,
    a settings table's noreply@, is no one's) or a phone number."""
    return sqlbuild.fill(
        f"((:e AND :s !~* '{SERVICE_SENDER}') OR (:p ~ '{_PHONE}'"
        f" AND length(regexp_replace(:t, '[^0-9]', '', 'g')) >= {MIN_PHONE_DIGITS}))",
        e=is_form("email", text),
        s=text.copy(),
        p=text.copy(),
        t=text.copy(),
    )


class SwitchParams(CaseRulesParams):
    by: str | None = Field(default=None, min_length=1)
    """The column of the row whose value picks the case (meta_key); omitted, or naming
    the masked column itself, the column's own value picks it (built-in logins kept)."""
    cases: dict[str, CaseRule] = Field(min_length=1)
    """Value of `by` -> strategy name, or {strategy: ..., its parameters}; a key with `*`
    is a pattern (any run of characters; `\\*` a star), tried after the exact keys."""
    default: CaseRule = CaseRule(strategy="keep")
    """The strategy for every other value of `by`, and for NULL (default: keep); `fail`
    refuses the run, before anything changes, when a row holds a key no case lists."""

    @field_validator("cases", "default")
    @classmethod
    def _known(cls, value: Any) -> Any:
        for rule in value.values() if isinstance(value, dict) else [value]:
            if rule.strategy != FAIL or isinstance(value, dict):
                rule.resolve()
        return value

    @property
    def refuses_others(self) -> bool:
        return self.default.strategy == FAIL

    def resolved(self) -> list[tuple[str | None, Strategy[Any], Any]]:
        """(key, strategy, parameters) of every case, exact keys first, then patterns in
        file order, the default last (key None; with `fail`, keep: the preflight has
        refused any row it would see)."""
        exact, patterns = ordered_keys(list(self.cases))
        cases = [(key, *self.cases[key].resolve()) for key in [*exact, *patterns]]
        default = CaseRule(strategy="keep") if self.refuses_others else self.default
        return [*cases, (None, *default.resolve())]


@register
class Switch(Strategy[SwitchParams]):
    name = "switch"
    column_local = False  # reads the `by` column of the row
    summary = "A strategy per value of another column (key/value tables such as wp_usermeta)."
    params_model = SwitchParams

    def reads_only_its_column(self, params: SwitchParams) -> bool:
        return params.by is None

    def for_column(self, params: SwitchParams, column: str) -> SwitchParams:
        """A `by` naming the column itself is no other column: written or omitted, the
        rule is one, so two sides of a foreign key keyed each by itself (Flowable's
        act_id_user.id_ and act_id_membership.user_id_, 'admin' kept) mask alike."""
        return params.model_copy(update={"by": None}) if params.by == column else params

    def is_lossy(self, params: SwitchParams) -> bool:
        return case_sql.lossy(params.resolved())

    def check(self, params: SwitchParams, ctx: ColumnContext) -> list[str]:
        if params.by is not None and params.by not in ctx.row_columns:
            return [f"by: {ctx.table} has no column {params.by!r}"]
        return case_sql.reasons(params.resolved(), lambda _: ctx)

    def leak_sample_when(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression:
        """Rows whose value a case changes (and that case would sample), and rows whose
        contact a `keep` default keeps: no one chose to keep those."""
        changed = case_sql.changed_when(
            params.resolved(),
            lambda key: self._picked(params, ctx, key),
            lambda _, strategy, sub: strategy.leak_sample_when(sub, ctx),
        )
        *_, (_, default, _) = params.resolved()
        if not default.keeps_value or params.refuses_others:
            return changed
        contact = contact_form(sqlbuild.as_text(ctx.ref))
        kept = exp.Paren(this=exp.and_(self._picked(params, ctx, None), contact))
        return exp.Paren(this=exp.or_(changed, kept))

    def refusal(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression | None:
        """With `default: fail`, a row whose key no case lists (NULL too), named; and
        what a case's own strategy refuses on the rows it masks."""
        parts = [
            sqlbuild.fill("CASE WHEN :picked THEN :r END", picked=self._picked(params, ctx, k), r=r)
            for k, strategy, sub in params.resolved()
            if (r := strategy.refusal(sub, ctx)) is not None
        ]
        if params.refuses_others:
            parts.insert(0, self._unlisted(params, ctx))
        return case_sql.first_refusal(parts)

    def table_refusal(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression | None:
        """What a case's own strategy refuses on the table's data (email's fold_case on a
        unique column holding case variants), where some row takes that case."""
        parts = [
            sqlbuild.fill(
                "CASE WHEN :taken THEN :r END",
                taken=casefold.on_table(
                    ctx,
                    sqlbuild.fill(
                        "(SELECT EXISTS (SELECT 1 FROM _dbr_t WHERE :p))",
                        p=self._picked(params, ctx, k),
                    ),
                ),
                r=r,
            )
            for k, strategy, sub in params.resolved()
            if (r := strategy.table_refusal(sub, ctx)) is not None
        ]
        return case_sql.first_refusal(parts)

    def _unlisted(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression:
        return sqlbuild.fill(
            "CASE WHEN :other THEN 'no case of switch for ' || :by || ' = '"
            " || COALESCE(quote_literal(:key), 'NULL') || ' (default: fail)' END",
            other=self._picked(params, ctx, None),
            by=sqlbuild.literal(f"{ctx.table}.{params.by or ctx.column}"),
            key=self._key(params, ctx),
        )

    def compile(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression:
        if ordered_keys(list(params.cases))[1]:  # patterns: CASE WHEN <key> LIKE ...
            return case_sql.case_of(
                params.resolved(),
                lambda key: self._matches(params, ctx, key),
                lambda _, strategy, sub: strategy.compile(sub, ctx),
            )
        # CASE <key> WHEN ...: the key's text is computed once a row, not once a case
        return case_sql.case_of(
            params.resolved(),
            sqlbuild.literal,
            lambda _, strategy, sub: strategy.compile(sub, ctx),
            this=self._key(params, ctx),
        )

    def _key(self, params: SwitchParams, ctx: ColumnContext) -> exp.Expression:
        if params.by is None:
            return sqlbuild.as_text(ctx.ref)
        by = replace(ctx, column=params.by, type=ctx.row_columns[params.by])
        return sqlbuild.as_text(by.ref)

    def _picked(self, params: SwitchParams, ctx: ColumnContext, key: str | None) -> exp.Expression:
        """The condition of one case: `by` holds this key and no case before it takes the
        row (the default: no case takes it)."""
        text = self._key(params, ctx)
        exact, patterns = ordered_keys(list(params.cases))
        if key is not None and not is_pattern(key):
            return sqlbuild.fill(":t = :k", t=text, k=sqlbuild.literal(exact_key(key)))
        before = patterns[: patterns.index(key)] if key is not None else patterns
        taken: list[exp.Expression] = [self._matches(params, ctx, k) for k in before]
        if exact:
            keys = exp.Tuple(expressions=[sqlbuild.literal(exact_key(k)) for k in exact])
            taken.insert(0, sqlbuild.fill(":t IN :keys", t=text.copy(), keys=keys))
        if key is None:
            none = exp.not_(exp.Paren(this=exp.or_(*taken))) if taken else exp.true()
            return sqlbuild.fill("(:t IS NULL OR :none)", t=text, none=none)
        this = self._matches(params, ctx, key)
        return exp.Paren(this=exp.and_(this, *(exp.not_(exp.Paren(this=t)) for t in taken)))

    def _matches(self, params: SwitchParams, ctx: ColumnContext, key: str | None) -> exp.Expression:
        """`by` holds this key (alone: a pattern case's condition before the cases
        tried first are ruled out)."""
        text = self._key(params, ctx)
        if key is None or not is_pattern(key):
            return sqlbuild.fill(":t = :k", t=text, k=sqlbuild.literal(exact_key(key or "")))
        return sqlbuild.fill(
            ":t LIKE :p ESCAPE :e",
            t=text,
            p=sqlbuild.literal(like_pattern(key)),
            e=sqlbuild.literal(LIKE_ESCAPE),
        )
