"""Which candidate strategy fits a column: compiled against the column's own type,
nullability and uniqueness, so what `rules init` proposes always compiles."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from pydantic import ValidationError
from sqlglot import exp

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.candidates import (
    CANDIDATES,
    FALLBACK,
    KIND_CATEGORIES,
    TEXT_CATEGORIES,
    Candidate,
)
from dbrefresh.rules.compiled import PLACEHOLDER
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy
from dbrefresh.strategies.registry import get


def column_context(table: Table, column: Column, *, unique: bool) -> ColumnContext:
    return ColumnContext(
        table=table.qualified,
        column=column.name,
        type=column.type,
        nullable=not column.not_null,
        unique=unique,
        row_columns={c.name: c.type for c in table.columns.values()},
        distinct_columns=table.distinct_columns(),
    )


def fits(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> bool:
    """Whether the strategy with these parameters compiles for the column. A column-local
    strategy's answer is the same for every column of one type and nullability: it is
    worked out once (compiling every candidate for every column was 3.1 of 8.4 s of a
    rules init of 300 tables)."""
    raw_key = json.dumps(raw, sort_keys=True, default=str)
    if _column_local(strategy.name, raw_key):
        return _fits_local(strategy.name, raw_key, ctx.type, ctx.nullable, ctx.unique)
    return _fits(strategy, raw, ctx)


@cache
def _column_local(name: str, raw_json: str) -> bool:
    """Strategy.reads_only_its_column for these parameters (date_shift `by` reads
    another column); parameters that do not parse take the direct path, which says so."""
    strategy = get(name)
    try:
        return strategy.reads_only_its_column(strategy.parse_params(json.loads(raw_json)))
    except ValidationError:
        return False


@cache
def _fits_local(
    name: str, raw_json: str, col_type: ColumnType, nullable: bool, unique: bool
) -> bool:
    ctx = ColumnContext(
        table="", column=PLACEHOLDER, type=col_type, nullable=nullable, unique=unique
    )
    return _fits(get(name), json.loads(raw_json), ctx)


def _fits(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> bool:
    try:
        params = strategy.parse_params(dict(raw))
        if strategy.check(params, ctx):
            return False
        if ctx.unique and strategy.is_lossy_in(params, ctx):
            return False
        strategy.compile(params, ctx)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def shape(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> str:
    """The compiled SQL with the column abstracted (equal shapes mask alike).

    Nullability is set aside: a NULL guard changes the SQL, not the value a non-NULL
    key maps to, and foreign-key columns are often nullable where the key is not.
    """
    params = strategy.parse_params(dict(raw))
    placeholder = ColumnContext(**{**ctx.__dict__, "column": "\x00v", "nullable": True})
    return str(strategy.compile(params, placeholder).sql(dialect="postgres"))


def with_unique(strategy: Strategy[Any], raw: Mapping[str, Any], unique: bool) -> dict[str, Any]:
    """Strategies with their own `unique` switch (email) get it set on unique columns."""
    params = dict(raw)
    if unique and "unique" in strategy.params_model.model_fields:
        params["unique"] = True
    return params


def choose(
    kind: str,
    ctx: ColumnContext,
    strategies: Mapping[str, Strategy[Any]],
    first: Sequence[Candidate] = (),
) -> Candidate | None:
    """The first candidate (`first`, then the kind's, then the fallbacks) that fits."""
    for name, raw in (*first, *CANDIDATES.get(kind, ()), *FALLBACK, *_cut_to_fit(ctx)):
        strategy = strategies.get(name)
        if strategy is None:
            continue
        params = with_unique(strategy, raw, ctx.unique)
        if fits(strategy, params, ctx):
            return name, params
    return None


def of_kind(kind: str) -> tuple[Candidate, ...]:
    return CANDIDATES.get(kind, ())


def _cut_to_fit(ctx: ColumnContext) -> tuple[Candidate, ...]:
    """A hash as long as a short text column allows (Saleor's jwt_token_key
    varchar(12)): lossy, so never on a unique column, but it hides the value."""
    if ctx.type.is_text and not ctx.type.is_array and ctx.type.length is not None:
        return (("hash", {"length": ctx.type.length}),)
    return ()


def kind_fits_type(kind: str, col_type: ColumnType) -> bool:
    return col_type.category in KIND_CATEGORIES.get(kind, TEXT_CATEGORIES)


# Characters holding every fake name, street or address whole (a cut at 140 cuts none)
ROOMY = 64


def masks_alike(
    strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext, other: ColumnType
) -> bool:
    """Whether the rule writes the same value into the column as into a column of the
    `other` type, for equal values: a text key's 32-character hash became 30 characters
    in a varchar(30) copy (hash sizes itself to the column, names are cut with left()),
    and the copy no longer joined. Compared on the compiled SQL, casts to text types
    aside (a hash is no longer in varchar(140) than in text); two columns of ROOMY
    characters or more hold any name or address whole (a left(name, 140) cuts none)."""
    if ctx.type == other or min(_room(ctx.type), _room(other)) >= ROOMY:
        return True
    if not (ctx.type.is_text and other.is_text):  # (only text is sized to the column)
        return not (ctx.type.is_text or other.is_text)
    try:
        params = strategy.parse_params(dict(raw))
        types = {ctx.type.sql.lower(), other.sql.lower(), "text"}
        shapes = {
            _uncast(
                strategy.compile(params, replace(ctx, column="\x00v", nullable=True, type=t)),
                types,
            )
            for t in (ctx.type, other)
        }
    except (ValidationError, ValueError, TypeError):
        return False
    return len(shapes) == 1


def _room(column: ColumnType) -> float:
    return float("inf") if column.length is None else column.length


def _uncast(tree: exp.Expression, types: set[str]) -> str:
    """The SQL with casts to these text types dropped (their value, as the text it is)."""
    bare = exp.Paren(this=tree.copy())  # (a parent, so the root cast is replaced too)
    for cast in list(bare.find_all(exp.Cast)):
        if cast.to.sql(dialect="postgres").lower() in types:
            cast.replace(cast.this)
    return str(bare.sql(dialect="postgres"))
