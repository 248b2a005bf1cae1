"""forms: a strategy per form of the value (address, number, phone number) in one column.

Ory Kratos's courier_messages.recipient holds an email address for a mail and a phone
number for an SMS; its identity_credential_identifiers.identifier an address for a
password login and 'google:<subject>' for an OIDC one. `email` over either made every
value an address: '+33612345678' could no longer receive an SMS, and the OIDC login
found no identity. `forms` tells each value's form by its text and masks it by that
form's case:

    identifier:
      strategy: forms
      cases:
        email: {strategy: email, unique: true}    # holds an '@'
        number: {strategy: digits, unique: true}  # '4410987...', 'google:4410987...'
        phone: {strategy: phone, unique: true}    # '+33 6 12 34 56 78'
      default: {strategy: hash, unique: true}     # anything else (default: keep)

A `uuid` case (a UUID in its text form) serves ids that are an address for a
signed-up user and a random UUID for an anonymous one (PostHog's distinct_id):
`uuid: keep` keeps the anonymous ones while `default` masks any other value.
The forms are tried in that order (email, number, uuid, phone); `email` is a value
holding an '@', but a bare domain after it ('@gmail.com', a filter's fragment) is none;
a form with no case falls through to the next, then to `default`. `number` is digits
alone or after a 'provider:' prefix: an identity provider's account id (Google's `sub`,
a GitHub user id), which `digits` with `unique: true` permutes as one digit string, so
'google:4410987...' masks its digits exactly as the bare '4410987...' in another column
or JSON path does, and keeps its prefix. With `default: keep`, the values of no listed
form stay as they are (a Supabase email identity's provider_id is the user's own UUID,
which the application looks up). Cases keep their form (an address keeps its '@';
`digits`, `phone` and `hash` write none), so forms stay apart: injective when every
case and the default are.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import case_sql, sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.nested import CaseRulesParams, NestedRule
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

Form = Literal["email", "number", "uuid", "phone"]
ORDER: tuple[Form, ...] = ("email", "number", "uuid", "phone")
# The text tests of the forms, in ORDER (the value as text is `:t`)
NUMBER_PREFIX = r"([A-Za-z][A-Za-z0-9_.-]*:)?"  # 'google:', 'github:'
NUMBER_PATTERN = rf"^{NUMBER_PREFIX}[0-9]+$"
PHONE_PATTERN = r"^\+?[ ()./-]*[0-9][0-9 ()./-]*$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# A bare domain after '@' ('@gmail.com': PostHog's `icontains` filter on an email
# property) is no address: `email` made it one, and the filter matched nobody
DOMAIN_PATTERN = r"^@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
_TESTS = {
    "email": f"(strpos(:t, '@') > 0 AND :t !~ '{DOMAIN_PATTERN}')",
    "number": f"(:t ~ '{NUMBER_PATTERN}')",
    "uuid": f"(:t ~ '{UUID_PATTERN}')",
    "phone": f"(:t ~ '{PHONE_PATTERN}')",
}


class FormRule(NestedRule):
    """One form's rule: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or not s.column_local or s.name == Forms.name,
            "be a case of forms",
        )


class FormsParams(CaseRulesParams):
    cases: dict[Form, FormRule] = Field(min_length=1)
    """Form (email, number, uuid, phone) -> strategy name, or {strategy: ..., its parameters}."""
    default: FormRule = FormRule(strategy="keep")
    """The strategy for a value of no listed form (default: keep)."""

    @field_validator("cases", "default")
    @classmethod
    def _known(cls, value: Any) -> Any:
        for rule in value.values() if isinstance(value, dict) else [value]:
            rule.resolve()
        return value

    def resolved(self) -> list[tuple[Form | None, Strategy[Any], Any]]:
        """(form, strategy, parameters) of every case in ORDER, the default last (None)."""
        cases = [(form, *self.cases[form].resolve()) for form in ORDER if form in self.cases]
        return [*cases, (None, *self.default.resolve())]


def is_form(form: Form, text: exp.Expression) -> exp.Expression:
    """Whether the text has the form (regardless of the forms before it)."""
    return sqlbuild.fill(_TESTS[form], t=text)


@register
class Forms(ScalarStrategy[FormsParams]):
    name = "forms"
    summary = (
        "A strategy per form of the value: email address, number ('google:1234'), UUID, phone."
    )
    params_model = FormsParams

    def is_lossy(self, params: FormsParams) -> bool:
        return case_sql.lossy(params.resolved())

    def fits(self, params: FormsParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"forms tells values apart by their text; {ctx.column} is {ctx.type.sql}"]
        return case_sql.reasons(params.resolved(), lambda _: ctx)

    def _picked(self, params: FormsParams, ctx: ColumnContext, form: Form | None) -> exp.Expression:
        """The rows one case masks: its form, and none of the listed forms before it."""
        text = sqlbuild.as_text(ctx.ref)
        listed = [f for f in ORDER if f in params.cases]
        before = listed if form is None else listed[: listed.index(form)]
        parts: list[exp.Expression] = [
            exp.Not(this=exp.Paren(this=is_form(f, text.copy()))) for f in before
        ]
        if form is not None:
            parts.append(is_form(form, text.copy()))
        return exp.Paren(this=exp.and_(*parts)) if parts else exp.true()

    def leak_sample_when(self, params: FormsParams, ctx: ColumnContext) -> exp.Expression:
        """Values a case changes (and that case would sample): no value `keep` keeps."""
        return case_sql.changed_when(
            params.resolved(),
            lambda form: self._picked(params, ctx, form),
            lambda _, strategy, sub: strategy.leak_sample_when(sub, ctx),
        )

    def table_refusal(self, params: FormsParams, ctx: ColumnContext) -> exp.Expression | None:
        """What a case's own strategy refuses on the table (email's fold_case on a unique
        column holding case variants), asked of the whole column."""
        return case_sql.first_refusal(
            [r for _, strategy, sub in params.resolved() if (r := strategy.table_refusal(sub, ctx))]
        )

    def masked(self, params: FormsParams, ctx: ColumnContext) -> exp.Expression:
        # CASE WHEN <form> THEN ...: one test per listed form, in ORDER
        text = sqlbuild.as_text(ctx.ref)
        case = case_sql.case_of(
            params.resolved(),
            lambda form: is_form(form, text.copy()),
            lambda _, strategy, sub: strategy.compile(sub, ctx),
        )
        return sqlbuild.cast(case, ctx.type.sql)
