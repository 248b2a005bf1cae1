"""A template part reading a key of a JSON document in another column, and `otherwise`.

A full name is often kept beside its parts in a JSON document: pretix's
`attendee_name_cached` 'Cheyenne Butler' beside `attendee_name_parts`
{"given_name": "Cheyenne", "family_name": "Butler"}, Zitadel's event payload
{"firstName": ..., "lastName": ..., "displayName": ...}. Masked on its own, the full
name matched its masked parts in no row. `{first_name:attendee_name_parts.given_name}`
applies the strategy to the text at that path of the row's document (json, jsonb, or
JSON kept in text), exactly as a `jsonb` rule's path `given_name: first_name` masks it,
so the template equals the masked parts.

Where a part finds no value (a NULL column, a missing key or JSON null), the name was
not composed from it: Zitadel's profile change events carry `lastName` and
`displayName` only, and a composition would write ' Toussaint'. `otherwise` names the
rule masking the value there instead (the rule it had before); a part with `|space`
(an optional middle name) may be missing.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import JSON_TYPES, ColumnContext, ColumnType, Strategy
from dbrefresh.strategies.jsonb_pathsyntax import is_wild, path_parts
from dbrefresh.strategies.jsonb_wildcards import key_of
from dbrefresh.strategies.nested import NestedRule

TEXT = ColumnType("text", "text", "S")
PART = "_dbr_tpart"  # a JSON part's text, bound once per part
DOC = "_dbr_tdoc"  # a document a part reads, bound once per template
OPTIONAL = "space"  # the filter of a part that may be missing
# Strategies that cannot stand in for a template (what a template's parts refuse too)
NOT_OTHERWISE = frozenset({"template", "jsonb", "shuffle", "sql"})


class OtherwiseRule(NestedRule):
    """The rule masking the value where a part finds no value: a name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or s.keeps_value or s.name in NOT_OTHERWISE,
            "mask a value a template cannot compose",
        )


def split_source(spec: str) -> tuple[str, tuple[str, ...]]:
    """A part's `column` or `column.path` as the column and the path's keys; ValueError
    for a path that does not parse or walks an array (a part reads one value)."""
    column, dot, rest = spec.partition(".")
    if not dot:
        return column, ()
    keys = path_parts(rest)
    if any(map(is_wild, keys)):
        raise ValueError(f"{spec}: a template part reads one key, not every element (*, [..])")
    return column, keys


def path_problem(ctx: ColumnContext, column: str) -> str | None:
    """Why the column holds no document a part's path can read, or None."""
    col_type = ctx.row_columns[column]
    if col_type.is_array or (col_type.base not in JSON_TYPES and not col_type.is_text):
        return f"{column} is {col_type.sql}, no JSON document"
    return None


def path_context(ctx: ColumnContext) -> ColumnContext:
    """What a part's strategy sees of a JSON path's value: nullable text, as a `jsonb`
    rule's path strategy sees it (so both compute the same masked value)."""
    return ColumnContext(
        ctx.table, PART, TEXT, True, False, ctx.row_columns, ctx.key_setting, ctx.locale
    )


def document(ctx: ColumnContext, column: str) -> exp.Expression:
    """The row's document in the column as jsonb (NULL: no JSON, as a `jsonb` rule reads
    JSON kept in text)."""
    col_type = ctx.row_columns[column]
    ref = exp.column(column, quoted=True)
    if col_type.base == "jsonb":
        return ref
    if col_type.base == "json":
        return sqlbuild.cast(ref, "jsonb")
    return sqlbuild.fill("dbrefresh.jsonb_or_null(CAST(:r AS TEXT))", r=ref)


def bound_document(index: int) -> exp.Expression:
    """The index-th document column, parsed once for the whole template (documents())."""
    return exp.column(f"{DOC}{index}", table="_dbr_td")


def path_text(doc: exp.Expression, keys: tuple[str, ...]) -> exp.Expression:
    """The text at the path of a document (NULL: missing, JSON null)."""
    return sqlbuild.fill("(:d #>> CAST(:k AS TEXT[]))", d=doc, k=key_of(keys))


def documents(ctx: ColumnContext, columns: list[str], value: exp.Expression) -> exp.Expression:
    """`value` with bound_document(i) bound to the i-th column's document, parsed once
    per row (JSON in text is parsed by a function: once, not once per part)."""
    if not columns:
        return value
    binds = ", ".join(f":d{i} AS {DOC}{i}" for i in range(len(columns)))
    docs = {f"d{i}": document(ctx, column) for i, column in enumerate(columns)}
    return sqlbuild.fill(f"(SELECT :v FROM (SELECT {binds} OFFSET 0) AS _dbr_td)", v=value, **docs)


def bound(compiled: exp.Expression, text: exp.Expression) -> exp.Expression:
    """A part compiled over PART, with PART bound to the path's text once."""
    return sqlbuild.fill(
        f"(SELECT :c FROM (SELECT :t AS {PART} OFFSET 0) AS _dbr_tp)", c=compiled, t=text
    )


def otherwise(
    rule: OtherwiseRule, ctx: ColumnContext, missing: list[exp.Expression], composed: exp.Expression
) -> exp.Expression:
    """The composed value, or `rule`'s where any required part's source is NULL."""
    if not missing:
        return composed
    strategy, sub = rule.resolve()
    fallback = sqlbuild.as_text(strategy.compile(sub, ctx))
    return sqlbuild.fill(
        "CASE WHEN :m THEN :o ELSE :c END",
        m=exp.Paren(this=exp.or_(*missing)),
        o=fallback,
        c=composed,
    )
