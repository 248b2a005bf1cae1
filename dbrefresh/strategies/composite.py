"""composite: mask chosen fields of a value of a composite (row) type, the rest kept.

A column `home_address postal_address`, where `CREATE TYPE postal_address AS (street
text, city text, zip text)`, holds a person's address in its fields; no text strategy
fits the type (`template produces text; addr is postal_address`), so the column was
kept whole (a leak) or emptied (a loss). `fields` names fields, each with a strategy
written as a jsonb path's is (`street`, `{strategy: digits}`):

    home_address: {strategy: composite, fields: {street: street, city: city, zip: postcode}}

It compiles to one expression rebuilding the value, `ROW(<masked (col).street>,
<masked (col).city>, ...)::postal_address`: each listed field masked by its strategy
as if it were a column of the field's type (its varchar(n), domain or enum respected;
a field of a composite type takes a `composite` rule of its own), every other field
kept as it is. A NULL value stays NULL, a NULL field stays NULL (a row of NULL fields
stays one). Arrays of a composite type are refused (no strategy walks them yet).

The leak check samples each listed field's originals apart, as a jsonb rule's paths
(the value read as the object of its fields: dbrefresh.json_document), so a field
whose values survived does not hide behind the others that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import case_sql, sqlbuild
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy, StrategyParams
from dbrefresh.strategies.jsonb_pathsyntax import nameable, quote_key
from dbrefresh.strategies.nested import NestedRule, shorthand
from dbrefresh.strategies.registry import register

# The column the leak check's per-field samples are read as (jsonb.VALUE, as a path's)
VALUE = "_dbr_json"
# Values that name no one, which strategies keep (relsteps.NON_FINITE)
NON_FINITE = ("NaN", "Infinity", "-Infinity", "infinity", "-infinity")


class FieldRule(NestedRule):
    """How one field is masked: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or s.keeps_value, "mask a field of a composite value"
        )


class CompositeParams(StrategyParams):
    fields: dict[str, FieldRule] = Field(min_length=1)
    """Field name (as in CREATE TYPE) -> strategy name or {strategy: ..., params...}:
    the field is masked as a column of its type would be; fields not listed are kept.
    A field of a composite type takes `{strategy: composite, fields: ...}` itself."""

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): shorthand(v) for k, v in value.items()}
        return value

    @field_validator("fields")
    @classmethod
    def _known(cls, value: dict[str, FieldRule]) -> dict[str, FieldRule]:
        for rule in value.values():
            rule.resolve()
        return value


def field_context(ctx: ColumnContext, name: str, field_type: ColumnType) -> ColumnContext:
    """What a field's strategy sees: a nullable column named `column.field` (so its
    refusals name the field), of the field's type."""
    return replace(
        ctx,
        column=f"{ctx.column}.{name}",
        type=field_type,
        nullable=True,
        unique=False,
        distinct_columns=frozenset(),
    )


def _field_of(value: exp.Expression, name: str) -> exp.Expression:
    """(value).name"""
    return exp.Dot(this=exp.Paren(this=value), expression=exp.to_identifier(name, quoted=True))


@register
class Composite(Strategy[CompositeParams]):
    name = "composite"
    column_local = False  # a field's strategy may read other columns of the row
    summary = (
        "A value of a composite type (an address's street, city, zip): listed fields "
        "masked, each with its own strategy, the others kept."
    )
    params_model = CompositeParams

    def is_lossy(self, params: CompositeParams) -> bool:
        return any(s.is_lossy(p) for s, p in (r.resolve() for r in params.fields.values()))

    def check(self, params: CompositeParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.category != "C":
            return [f"composite masks values of a composite type; {ctx.column} is {ctx.type.sql}"]
        if ctx.type.is_array:
            return [
                f"composite masks one value of a composite type, not an array of them; "
                f"{ctx.column} is {ctx.type.sql} (`null` empties it, a `sql` rule can rebuild it)"
            ]
        types = dict(ctx.type.fields)
        reasons = []
        for name, rule in params.fields.items():
            if name not in types:
                known = ", ".join(types) or "none"
                reasons.append(f"{ctx.type.sql} has no field {name!r} (its fields: {known})")
                continue
            strategy, sub = rule.resolve()
            field = field_context(ctx, name, types[name])
            reasons += [f"field {name}: {r}" for r in strategy.check(sub, field)]
        return reasons

    def _listed(
        self, params: CompositeParams, ctx: ColumnContext
    ) -> list[tuple[str, ColumnContext]]:
        """The listed fields, in the type's order, with their strategies' contexts."""
        return [
            (name, field_context(ctx, name, field_type))
            for name, field_type in ctx.type.fields
            if name in params.fields
        ]

    def _over_fields(
        self, params: CompositeParams, ctx: ColumnContext, body: exp.Expression
    ) -> exp.Expression:
        """`body`, an expression over the listed fields' contexts' columns, with each
        bound to its field of the value once (OFFSET 0: not inlined per use)."""
        bound = [
            exp.alias_(_field_of(ctx.ref, name), field.column, quoted=True)
            for name, field in self._listed(params, ctx)
        ]
        inner = exp.select(*bound).offset(0)
        alias = exp.TableAlias(this=exp.to_identifier("_dbr_c"))
        return exp.Subquery(this=exp.select(body).from_(exp.Subquery(this=inner, alias=alias)))

    def compile(self, params: CompositeParams, ctx: ColumnContext) -> exp.Expression:
        fields = []
        for name, field_type in ctx.type.fields:
            if name not in params.fields:
                fields.append(_field_of(ctx.ref, name))
                continue
            strategy, sub = params.fields[name].resolve()
            fields.append(strategy.compile(sub, field_context(ctx, name, field_type)))
        row = sqlbuild.cast(exp.Anonymous(this="ROW", expressions=fields), ctx.type.sql)
        # num_nulls: a row whose fields are all NULL is no NULL value (IS NULL says it is)
        guarded = sqlbuild.fill(
            "CASE WHEN num_nulls(:r) = 1 THEN NULL ELSE :m END",
            r=ctx.ref,
            m=self._over_fields(params, ctx, row),
        )
        return sqlbuild.cast(guarded, ctx.type.sql)

    def _any_field(
        self,
        params: CompositeParams,
        ctx: ColumnContext,
        condition: Callable[[Strategy[Any], Any, ColumnContext], exp.Expression | None],
    ) -> exp.Expression:
        """Whether any listed field meets its condition (None: a field meeting none)."""
        found = [
            when
            for name, field in self._listed(params, ctx)
            if (when := condition(*params.fields[name].resolve(), field)) is not None
        ]
        body = exp.or_(*found) if found else exp.false()
        return sqlbuild.fill(
            "COALESCE(:b, FALSE)", b=self._over_fields(params, ctx, exp.Paren(this=body))
        )

    def leak_sample_when(self, params: CompositeParams, ctx: ColumnContext) -> exp.Expression:
        """A value some listed field of which holds what its strategy changes: one whose
        listed fields are NULL or blank is kept, and no leak."""
        return self._any_field(params, ctx, _changed_when)

    def holds_when(self, params: CompositeParams, ctx: ColumnContext) -> exp.Expression:
        """A value whose listed fields are all NULL or blank gives nothing to mask."""
        return self._any_field(params, ctx, lambda _s, _p, field: _named(field))

    def refusal(self, params: CompositeParams, ctx: ColumnContext) -> exp.Expression | None:
        """What a field's own strategy refuses on the values it masks."""
        parts = [
            refused
            for name, field in self._listed(params, ctx)
            if (refused := _refusal_of(params.fields[name], field)) is not None
        ]
        if not parts:
            return None
        return self._over_fields(params, ctx, case_sql.first_refusal(parts) or exp.null())

    def leak_paths(
        self, params: CompositeParams, ctx: ColumnContext
    ) -> dict[str, exp.Expression | None]:
        """Each listed field as a path of the value's object (dbrefresh.json_document),
        with which of its values must change, over their text (column VALUE); a field
        of a composite type masked by `composite`, its own fields under it."""
        out: dict[str, exp.Expression | None] = {}
        for name, field in self._listed(params, ctx):
            strategy, sub = params.fields[name].resolve()
            if not (strategy.leak_checked and nameable(name)):
                continue
            if isinstance(strategy, Composite):
                for path, when in strategy.leak_paths(sub, field).items():
                    out[f"{quote_key(name)}.{path}"] = when
                continue
            out[quote_key(name)] = _as_text_when(strategy, sub, field)
        return out


def _refusal_of(rule: FieldRule, field: ColumnContext) -> exp.Expression | None:
    strategy, params = rule.resolve()
    return strategy.refusal(params, field)


def _named(field: ColumnContext) -> exp.Expression:
    """Whether a field's value is worth masking (relsteps._identifying): not NULL,
    blank, an empty array, or a number or date that is no value (NaN, infinity)."""
    ref = field.ref
    if field.type.is_array:
        return sqlbuild.fill("btrim(array_to_string(:r, '')) <> ''", r=ref)
    if field.type.category in {"N", "D"}:
        return sqlbuild.fill(
            "CAST(:r AS TEXT) NOT IN :s",
            r=ref,
            s=exp.Tuple(expressions=[sqlbuild.literal(v) for v in NON_FINITE]),
        )
    if field.type.category == "S":
        return sqlbuild.fill("btrim(CAST(:r AS TEXT)) <> ''", r=ref)
    if field.type.is_composite:
        return sqlbuild.fill("NOT (:r IS NULL)", r=ref)
    return sqlbuild.fill(":r IS NOT NULL", r=ref)


def _changed_when(
    strategy: Strategy[Any], params: Any, field: ColumnContext
) -> exp.Expression | None:
    """Which values of a field its strategy must change (None: a strategy the leak check
    does not hold to that)."""
    if not strategy.leak_checked:
        return None
    own = strategy.leak_sample_when(params, field)
    named = _named(field)
    return named if own is None else sqlbuild.fill(":n AND (:o)", n=named, o=own)


def _as_text_when(
    strategy: Strategy[Any], params: Any, field: ColumnContext
) -> exp.Expression | None:
    """_changed_when over the field's text in the object (column VALUE), read back as
    the field's type (an array's elements are sampled one by one: as the element type)."""
    element = replace(
        field.type,
        sql=field.type.element_sql or field.type.sql.removesuffix("[]"),
        is_array=False,
    )
    as_value = replace(field, column=VALUE, type=element)
    when = _changed_when(strategy, params, as_value)
    if when is None or element.is_text:
        return when
    text = exp.column(VALUE, quoted=True)
    read = exp.select(exp.alias_(sqlbuild.cast(text, element.sql), VALUE, quoted=True)).offset(0)
    alias = exp.TableAlias(this=exp.to_identifier("_dbr_j"))
    return exp.Subquery(this=exp.select(when).from_(exp.Subquery(this=read, alias=alias)))
