"""template: compose strategies and text, e.g. '{first_name:first_name}.{hash}@example.com'.

Placeholder syntax (Python format-string style, `{{` and `}}` for literal braces):
  {strategy}           the strategy, with default parameters, applied to this column;
  {strategy:column}    the strategy applied to another column of the same row;
  ...|lower, ...|upper  the part lower- or upper-cased, e.g. {last_name:name|lower};
  ...|fold             accents taken off (Latin letters), then upper-cased, as search
                       indexes store names: HAPI FHIR's sp_value_normalized 'CALLEJON'
                       for 'Callejón', {street:sp_value_exact|fold}.
  ...|space            the part and a space after it, nothing when it is empty or NULL:
                       an optional middle name, '{first_name:firstname}
                       {first_name:middlename|space}{last_name:lastname}'.
  {strategy:column.path}  the strategy applied to the text at a dotted path of the
                       row's JSON document (json, jsonb, JSON in text) in that column,
                       as a `jsonb` rule's path masks it: pretix's
                       '{first_name:name_parts.given_name} {last_name:name_parts.family_name}'
                       (template_sources.py).
`otherwise` names the rule for a value where a part reading another column or a path
finds none (NULL, missing): not composed from them there (template_sources.py).
Parts compute exactly what the strategy gives alone, so {first_name:first_name} matches
the masked first_name column. A NULL in another column gives an empty part. Injective
when a part applied to this column is (hash, uuid), or, on a unique column, a part
applied to another column whose value differs in every row (NOT NULL under a unique key
of its own): Gitea's lower_name as `u{hash:name|lower}` beside a unique name. Hex is
case-stable (lower/upper map hex digits one to one), so a filter keeps it injective; the
template must then fit the column whole, the injective parts at their full width.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy, StrategyParams
from dbrefresh.strategies.nested import shorthand
from dbrefresh.strategies.registry import UnknownStrategyError, get, register
from dbrefresh.strategies.scalar import ScalarStrategy
from dbrefresh.strategies.template_sources import (
    OPTIONAL,
    OtherwiseRule,
    bound,
    bound_document,
    documents,
    otherwise,
    path_context,
    path_problem,
    path_text,
    split_source,
)

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# each filter's SQL over the part's value (fold's :a and :b: _ACCENTED and _BARE)
FILTERS = {
    "lower": "lower(:v)",
    "upper": "upper(:v)",
    "space": "(NULLIF(:v, '') || ' ')",
    "fold": "upper(replace(translate(:v, :a, :b), 'ß', 'SS'))",  # 'ß' upper-cased: 'SS'
}


def _folded(char: str) -> str:
    """'ó' -> 'o' (the letter it decomposes into, NFD), 'ł' -> 'Ł' (upper-cased here:
    upper() leaves letters beyond ASCII as they are under the C locale)."""
    base = unicodedata.normalize("NFD", char)[0]
    if base.isascii() and base.isalpha():
        return base
    return upper if len(upper := char.upper()) == 1 else char


# Latin letters (U+00C0..U+017F) with accents, or lower-case, and what `fold` makes them
_ACCENTED = "".join(c for c in map(chr, range(0xC0, 0x180)) if _folded(c) != c)
_BARE = "".join(map(_folded, _ACCENTED))
FORBIDDEN = {"template", "jsonb", "shuffle", "sql"}
# Widest output of the injective strategies a template may hold (hash: 32 hex).
INJECTIVE_WIDTH = {"hash": 32, "uuid": 36}


@dataclass(frozen=True)
class Part:
    """One piece of a template: literal text, or a strategy over a column."""

    text: str
    strategy: str | None = None
    column: str | None = None  # None: this column
    filter: str | None = None
    path: tuple[str, ...] = ()  # keys of a JSON document in `column`: its text there


def parse_template(template: str) -> list[Part]:
    """Split a template into parts; ValueError says what is wrong."""
    parts: list[Part] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(Part(literal))
        if field is None:
            continue
        if conversion:
            raise ValueError(f"{{{field}!{conversion}}}: conversions are not supported")
        source, _, filt = (spec or "").partition("|")
        column, path = split_source(source)
        if "|" in field:
            field, _, filt = field.partition("|")
        if not NAME.match(field):
            raise ValueError(f"{{{field}}}: not a strategy name")
        if filt and filt not in FILTERS:
            raise ValueError(
                f"{{{field}}}: unknown filter {filt!r} (use lower, upper, fold or space)"
            )
        if field in FORBIDDEN:
            raise ValueError(f"{{{field}}}: {field} cannot be used inside a template")
        parts.append(Part("", field, column or None, filt or None, path))
    return parts


class TemplateParams(StrategyParams):
    template: str = Field(min_length=1, max_length=500)
    """Text with {strategy} / {strategy:column} / {strategy:column.path} placeholders
    (see the module doc)."""
    otherwise: OtherwiseRule | None = None
    """The rule masking a value where a part reading another column or a JSON path
    finds none (NULL, a missing key; a `|space` part may be missing): the value was not
    composed from it there. Default: the template all the same, the part empty."""

    @field_validator("otherwise", mode="before")
    @classmethod
    def _shorthand_otherwise(cls, value: object) -> object:
        return shorthand(value)

    @field_validator("otherwise")
    @classmethod
    def _known_otherwise(cls, value: OtherwiseRule | None) -> OtherwiseRule | None:
        if value is not None:
            value.resolve()
        return value

    @field_validator("template")
    @classmethod
    def _parses(cls, value: str) -> str:
        parts = parse_template(value)
        for part in parts:
            if part.strategy is not None:
                try:
                    get(part.strategy).parse_params({})
                except UnknownStrategyError as err:
                    raise ValueError(str(err)) from None
                except ValidationError:
                    raise ValueError(
                        f"{{{part.strategy}}} needs parameters; a template uses defaults only"
                    ) from None
        if not any(p.strategy for p in parts):
            raise ValueError("the template has no {strategy} placeholder; use constant")
        for part in parts:
            if part.path and part.strategy and get(part.strategy).keeps_value:
                raise ValueError(
                    f"{{{part.strategy}:{part.column}...}}: a path's part must mask what it"
                    " reads (it would copy the document's original value)"
                )
        return value


@register
class Template(ScalarStrategy[TemplateParams]):
    name = "template"
    column_local = False  # reads other columns of the row, or by name
    summary = "Compose strategies and text: '{first_name}.{last_name:last_name}@example.com'."
    params_model = TemplateParams

    def is_lossy(self, params: TemplateParams) -> bool:
        parts = parse_template(params.template)
        injective = any(p.column is None and p.strategy in INJECTIVE_WIDTH for p in parts)
        return not injective or _lossy_otherwise(params)

    def is_lossy_in(self, params: TemplateParams, ctx: ColumnContext) -> bool:
        parts = parse_template(params.template)
        return not any(_injective(p, ctx) for p in parts) or _lossy_otherwise(params)

    def fits(self, params: TemplateParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"template produces text; {ctx.column} is {ctx.type.sql}"]
        reasons: list[str] = []
        for part, strategy in _strategies(params):
            if part.column is not None and part.column not in ctx.row_columns:
                reasons.append(f"{{{part.strategy}:{part.column}}}: no such column")
                continue
            if part.path and (problem := path_problem(ctx, part.column or "")):
                reasons.append(f"{{{part.strategy}:{part.column}...}}: {problem}")
                continue
            sub = _part_ctx(ctx, part)
            reasons += [
                f"{{{part.strategy}}}: {r}" for r in strategy.check(strategy.parse_params({}), sub)
            ]
        if params.otherwise is not None:
            strategy, sub = params.otherwise.resolve()
            reasons += [f"otherwise: {r}" for r in strategy.check(sub, ctx)]
        if ctx.type.length is not None and _part_width(params, ctx) is None:
            reasons.append(
                f"template does not fit {ctx.type.sql}: its literal text and injective parts"
                f" ({', '.join(INJECTIVE_WIDTH)}) leave no room for the other parts"
            )
        return reasons

    def masked(self, params: TemplateParams, ctx: ColumnContext) -> exp.Expression:
        pieces: list[exp.Expression] = []
        missing: list[exp.Expression] = []  # a part's source is NULL: not composed
        parts = parse_template(params.template)
        docs = sorted({p.column for p in parts if p.path and p.column})
        for part in parts:
            if part.strategy is None:
                pieces.append(sqlbuild.literal(part.text))
                continue
            strategy = get(part.strategy)
            value = sqlbuild.as_text(
                strategy.compile(strategy.parse_params({}), _part_ctx(ctx, part))
            )
            if part.path:
                text = path_text(bound_document(docs.index(part.column or "")), part.path)
                value = bound(value, text)
            elif part.column is not None:
                text = _part_ctx(ctx, part).ref
            if part.column is not None and part.filter != OPTIONAL:
                missing.append(sqlbuild.fill(":t IS NULL", t=text.copy()))
            if part.filter == "fold":  # as Java's toUpperCase folds, HAPI's index
                value = sqlbuild.fill(FILTERS["fold"], v=value, a=_ACCENTED, b=_BARE)
            elif part.filter:
                value = sqlbuild.fill(FILTERS[part.filter], v=value)
            if part.column is not None:
                value = sqlbuild.fill("COALESCE(:v, '')", v=value)
            width = _part_width(params, ctx) if ctx.type.length else None
            if width is not None and part.strategy not in INJECTIVE_WIDTH:
                value = sqlbuild.fill("left(:v, :n)", v=value, n=width)
            pieces.append(value)
        joined = pieces[0]
        for piece in pieces[1:]:
            joined = sqlbuild.fill("(:a || :b)", a=joined, b=piece)
        if params.otherwise is not None:
            joined = otherwise(params.otherwise, ctx, missing, joined)
        joined = documents(ctx, docs, joined)
        return sqlbuild.fit_text(ctx, joined, truncate=self.is_lossy_in(params, ctx))


def _strategies(params: TemplateParams) -> list[tuple[Part, Strategy[Any]]]:
    return [(p, get(p.strategy)) for p in parse_template(params.template) if p.strategy]


def _lossy_otherwise(params: TemplateParams) -> bool:
    """Whether the rule for values not composed may make distinct values collide."""
    if params.otherwise is None:
        return False
    strategy, sub = params.otherwise.resolve()
    return bool(strategy.is_lossy(sub))


def _injective(part: Part, ctx: ColumnContext) -> bool:
    """Whether the part gives every row its own value: hash or uuid of this column, or
    (on a unique column) of another that differs in every row (not a path of it)."""
    if part.strategy not in INJECTIVE_WIDTH or part.path:
        return False
    return part.column is None or (ctx.unique and part.column in ctx.distinct_columns)


def _part_width(params: TemplateParams, ctx: ColumnContext) -> int | None:
    """Characters each lossy part may take so the whole fits the column, cutting lossy
    parts only (an injective part is never cut); None when that is impossible."""
    length = ctx.type.length
    assert length is not None
    parts = parse_template(params.template)
    fixed = sum(len(p.text) + (p.filter == "space") for p in parts)
    lossy = 0
    for part in parts:
        if part.strategy is not None and _injective(part, ctx):
            fixed += INJECTIVE_WIDTH[part.strategy]
        elif part.strategy is not None:
            lossy += 1
    spare = length - fixed
    if spare < 0 or (lossy and spare < lossy):
        return None
    return spare // lossy if lossy else length


def _part_ctx(ctx: ColumnContext, part: Part) -> ColumnContext:
    """This column as unbounded text, another column of the row with its own type, or
    the text at a path of another column's document."""
    if part.path:
        return path_context(ctx)
    if part.column is None:
        return ColumnContext(
            ctx.table,
            ctx.column,
            ColumnType("text", "text", "S"),
            ctx.nullable,
            False,
            ctx.row_columns,
            ctx.key_setting,
            ctx.locale,
        )
    return ColumnContext(
        ctx.table,
        part.column,
        ctx.row_columns[part.column],
        True,
        False,
        ctx.row_columns,
        ctx.key_setting,
        ctx.locale,
    )
