"""Small sqlglot builders shared by the strategies: keyed digests, casts, let-bindings.

Cost model (see docs/strategies.md): one sha256 per value is the floor; every textual
reference to the digest is another sha256, so strategies read it once or bind it.

Expressions are built from short PostgreSQL templates with `:name` placeholders that
are replaced by AST nodes, so identifiers are always quoted by sqlglot and never pasted
as text. Everything here is pure: no database access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.locales import LOCALIZED

SCHEMA = "dbrefresh"


def expression(node: exp.Expr) -> exp.Expression:
    """Narrow sqlglot's parse result type (every concrete node is an Expression)."""
    if not isinstance(node, exp.Expression):
        raise TypeError(f"not an expression node: {node!r}")
    return node


@lru_cache(maxsize=256)
def _parsed(template: str) -> exp.Expression:
    return expression(sqlglot.parse_one(template, read="postgres"))


def fill(template: str, **values: exp.Expression | str | float) -> exp.Expression:
    """Parse a constant SQL template and replace its `:name` placeholders by expressions."""
    nodes = {k: v if isinstance(v, exp.Expression) else literal(v) for k, v in values.items()}
    return expression(exp.replace_placeholders(_parsed(template).copy(), **nodes))


def literal(value: str | int | float) -> exp.Expression:
    """A SQL literal (strings are quoted by sqlglot)."""
    if isinstance(value, str):
        return exp.Literal.string(value)
    return exp.Literal.number(value)


def sql_type(type_sql: str) -> exp.DataType:
    """A type as the catalog's format_type() spells it, rendered verbatim."""
    return exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=type_sql)


def cast(value: exp.Expression, type_sql: str) -> exp.Cast:
    """CAST(value AS <type>) for a catalog type name (domains, enums, arrays included)."""
    return exp.Cast(this=value, to=sql_type(type_sql))


def as_text(value: exp.Expression) -> exp.Expression:
    return fill("CAST(:v AS TEXT)", v=value)


def key(ctx: ColumnContext) -> exp.Expression:
    """The session key, read at run time so plans never contain it."""
    return fill("current_setting(:name)", name=ctx.key_setting)


def digest(ctx: ColumnContext, tag: str) -> exp.Expression:
    """Keyed sha256 (bytea) of the column's value; `tag` separates strategies.

    sha256(key ␟ tag ␟ value) as dbrefresh.digest() computes it, with `key ␟ tag ␟` in an
    uncorrelated scalar subquery: PostgreSQL runs it once per statement (an InitPlan),
    so a row pays one concatenation and one sha256. Reference the result ONCE (through
    `bits()` / single-use helpers) or bind it with `let()`: each reference is a sha256.
    """
    return fill("dbrefresh.keyed(:p, :val)", p=key_prefix(ctx, tag), val=stable_text(ctx))


def key_prefix(ctx: ColumnContext, tag: str) -> exp.Expression:
    """`key ␟ tag ␟`, computed once per statement (an uncorrelated scalar subquery)."""
    return fill("(SELECT dbrefresh.key_prefix(:key, :tag))", key=key(ctx), tag=tag)


def bits(h: exp.Expression) -> exp.Expression:
    """63 bits of a digest as a non-negative bigint, reading `h` once."""
    return fill("dbrefresh.u63(:h)", h=h)


# Types whose equality ignores case (lower() of both sides, as citext compares them).
CASE_INSENSITIVE_TYPES = frozenset({"citext"})


def ignores_case(col: ColumnType) -> bool:
    """Whether equal values of the column may differ in case: citext, or a
    nondeterministic ICU collation of strength secondary or primary."""
    return col.base in CASE_INSENSITIVE_TYPES or col.collation_ignores_case


def stable_text(ctx: ColumnContext) -> exp.Expression:
    """The value as text that no session setting changes (DateStyle, TimeZone).

    Dates hash their day number since 1970 (cheaper than the numeric epoch; infinity
    hashes as its text, which no setting changes), timestamps their epoch, so a value
    hashes alike in every session and every table, whatever the client's settings.
    Values a case-insensitive type holds equal ('Ann@X.org' = 'ann@x.org' in citext)
    hash alike, or a key between two spellings would no longer match once masked.
    """
    if ctx.type.category == "D" and ctx.type.base == "date":
        return fill(
            "CASE WHEN isfinite(:v) THEN CAST(:v - DATE '1970-01-01' AS TEXT)"
            " ELSE CAST(:v AS TEXT) END",
            v=ctx.ref,
        )
    if ctx.type.category == "D" and ctx.type.base in {"timestamp", "timestamptz"}:
        return fill("CAST(extract(epoch FROM :v) AS TEXT)", v=ctx.ref)
    if ignores_case(ctx.type):
        return _folded(ctx)
    return as_text(ctx.ref)


# Combining diacritical marks (U+0300..U+036F): what NFD splits off a letter.
_MARKS = "'[' || chr(768) || '-' || chr(879) || ']'"


def _folded(ctx: ColumnContext) -> exp.Expression:
    """The value as a case-insensitive type or collation compares it: lower-cased by
    the column's own collation (an ICU collation's case mapping, where the database's
    C collation would leave 'É' as it is), its accents stripped when the collation
    ignores them too ('Zoë' as 'zoe'; ICU's other equivalences, 'ß' as 'ss', are not
    folded). The pattern runs in the C collation: PostgreSQL refuses regular
    expressions on a nondeterministic one."""
    raw = exp.column(ctx.column, quoted=True)
    collation = ctx.type.nondeterministic_collation
    text = f"CAST(:v AS TEXT) COLLATE {collation}" if collation else "CAST(:v AS TEXT)"
    lowered = fill(f"lower({text})", v=raw)
    if not ctx.type.collation_ignores_accents:
        return lowered
    return fill(f"regexp_replace(normalize(:l, NFD) COLLATE \"C\", {_MARKS}, '', 'g')", l=lowered)


Refs = dict[str, exp.Column]


def let(
    name: str, value: exp.Expression, body: Callable[[exp.Column], exp.Expression]
) -> exp.Expression:
    """Evaluate `value` once per row and use it several times in `body`.

    PostgreSQL has no common-subexpression elimination and inlining duplicates
    arguments, so a digest used twice would be computed twice. A scalar subquery with
    OFFSET 0 is not flattened: it costs about 0.2 µs per row, less than one sha256, but
    its SubPlan keeps the statement out of parallel workers. Prefer reading the digest
    once (`bits()`, NULLIF/COALESCE, single-read helpers) where the strategy allows.
    """
    return bind([(name, lambda _: value)], lambda refs: body(refs[name]))


def bind(
    stages: list[tuple[str, Callable[[Refs], exp.Expression]]],
    body: Callable[[Refs], exp.Expression],
) -> exp.Expression:
    """Like let(), for values computed from earlier ones, in one scalar subquery.

    Each stage is a FROM subquery (OFFSET 0, so not flattened) that passes the earlier
    values on and adds its own; the body reads them all. Bound names are prefixed and
    qualified so they never shadow a column of the row (a row column named `h` must
    still mean the row's column inside the body).
    """
    source: exp.Subquery | None = None
    names: list[str] = []
    refs: Refs = {}
    for name, compute in stages:
        alias = f"_dbr_{name}_t"
        value = exp.alias_(compute(refs), f"_dbr_{name}")
        select = exp.select(*[refs[n] for n in names], value)
        if source is not None:
            select = select.from_(source)
        source = exp.Subquery(
            this=select.offset(0), alias=exp.TableAlias(this=exp.to_identifier(alias))
        )
        names.append(name)
        refs = {n: exp.column(f"_dbr_{n}", table=alias) for n in names}
    if source is None:
        raise ValueError("bind() needs at least one stage")
    return exp.Subquery(this=exp.select(body(refs)).from_(source))


def null_guard(ctx: ColumnContext, masked: exp.Expression) -> exp.Expression:
    """NULL stays NULL (and the masking work is skipped for it).

    The CASE is cast again to the column's type: PostgreSQL resolves a CASE to the base
    type without its typmod, so varchar(40) or a domain would be lost in CREATE TABLE AS.
    """
    if not ctx.nullable:
        return masked
    guarded = fill("CASE WHEN :ref IS NULL THEN NULL ELSE :m END", ref=ctx.ref, m=masked)
    return cast(guarded, ctx.type.sql)


def fit_text(ctx: ColumnContext, text: exp.Expression, *, truncate: bool) -> exp.Expression:
    """A text value cast to the column's string type, cut to its length when allowed."""
    if truncate and ctx.type.length is not None:
        text = fill("left(:t, :n)", t=text, n=ctx.type.length)
    return cast(text, ctx.type.sql)


def text_limit(ctx: ColumnContext, needed: int, what: str) -> list[str]:
    """Refusal when an injective text of `needed` characters cannot fit the column."""
    if ctx.type.length is not None and ctx.type.length < needed:
        return [f"{what} needs {needed} characters but {ctx.column} is {ctx.type.sql}"]
    return []


def element_type(col: ColumnType) -> ColumnType:
    """The element type of an array column, with the same base facts."""
    return ColumnType(
        sql=col.element_sql or col.sql.removesuffix("[]"),
        base=col.base,
        category=col.category if col.category != "A" else "S",
        length=col.length,
        precision=col.precision,
        scale=col.scale,
        enum_labels=col.enum_labels,
        nondeterministic_collation=col.nondeterministic_collation,
        collation_ignores_case=col.collation_ignores_case,
        collation_ignores_accents=col.collation_ignores_accents,
    )


def dictionary(name: str, fit: int | None = None, locales: tuple[str, ...] = ()) -> exp.Expression:
    """The constant name[] of one fake-value dictionary (sql/dictionaries/<name>.sql);
    with `locales`, the union of those locales' own (strategies/locales.py); with `fit`,
    only its entries of at most that many characters (when two or more do)."""
    if locales and name in LOCALIZED:
        whole = fill(f"dbrefresh.dict_{name}_{locales[0].lower()}()")
        for locale in locales[1:]:
            other = fill(f"dbrefresh.dict_{name}_{locale.lower()}()")
            whole = fill("dbrefresh.dict_merge(:a, :b)", a=whole, b=other)
    else:
        whole = fill(f"dbrefresh.dict_{name}()")
    return whole if fit is None else fill("dbrefresh.dict_fit(:d, :n)", d=whole, n=fit)


def pick(
    name: str,
    h: exp.Expression,
    offset: int,
    orig: exp.Expression,
    locales: tuple[str, ...] = (),
) -> exp.Expression:
    """A dictionary entry chosen by 3 bytes of a BOUND digest `h` (a column of let()),
    never equal to `orig` (text): the next entry when the first equals it."""
    return fill(
        "dbrefresh.pick(:d, :h, :o, :orig)",
        d=dictionary(name, locales=locales),
        h=h,
        o=offset,
        orig=orig,
    )


def pick_x(array: exp.Expression, x: exp.Expression, orig: exp.Expression) -> exp.Expression:
    """An entry of `array` chosen by the bigint `x` (read once: x may hold the digest
    itself), never equal to `orig` (text)."""
    return fill("dbrefresh.pick_x(:a, :x, :orig)", a=array, x=x, orig=orig)
