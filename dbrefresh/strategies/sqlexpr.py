"""Check a user's SQL expression: one expression over the row's own columns, built only
from an allow-list of node types and functions. Pure: parses with sqlglot, no database.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dbrefresh.strategies.sqlbuild import expression

# PostgreSQL functions a masking expression may call, as sample calls (sqlglot turns
# several of them into its own node types, so the sample tells which node to allow).
ALLOWED_CALLS = (
    "lower(x)",
    "upper(x)",
    "initcap(x)",
    "left(x, 1)",
    "right(x, 1)",
    "substr(x, 1, 2)",
    "substring(x, 1, 2)",
    "length(x)",
    "char_length(x)",
    "concat(x, y)",
    "concat_ws(',', x, y)",
    "replace(x, 'a', 'b')",
    "translate(x, 'a', 'b')",
    "trim(x)",
    "btrim(x)",
    "ltrim(x)",
    "rtrim(x)",
    "lpad(x, 3, '0')",
    "rpad(x, 3, '0')",
    "split_part(x, ',', 1)",
    "regexp_replace(x, 'a', 'b')",
    "md5(x)",
    "sha224(x)",
    "sha256(x)",
    "sha384(x)",
    "sha512(x)",
    "encode(x, 'hex')",
    "reverse(x)",
    "repeat(x, 2)",
    "strpos(x, 'a')",
    "position('a' IN x)",
    "starts_with(x, 'a')",
    "coalesce(x, y)",
    "nullif(x, y)",
    "greatest(x, y)",
    "least(x, y)",
    "abs(x)",
    "round(x, 2)",
    "trunc(x)",
    "floor(x)",
    "ceil(x)",
    "ceiling(x)",
    "mod(x, 2)",
    "sign(x)",
    "date_trunc('month', x)",
    "extract(year FROM x)",
    "date_part('year', x)",
    "make_date(2000, 1, 1)",
    "to_char(x, 'YYYY')",
    "to_date(x, 'YYYY')",
    "to_number(x, '999')",
    "format('%s', x)",
    "age(x, y)",
    # full-text vectors and their inputs, as search triggers build them (derived.py)
    "to_tsvector(x)",
    "to_tsvector('simple', x)",
    "setweight(x, 'A')",
    "array_to_string(x, ' ')",
    "unaccent(x)",
)
ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.Paren,
    exp.Neg,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.DPipe,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Not,
    exp.And,
    exp.Or,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Interval,
    exp.Var,
    exp.Bracket,
    exp.Array,
    exp.Tuple,
)


# Statements (DDL, DML, utility commands) get their own message.
STATEMENTS: tuple[type[exp.Expr], ...] = (
    exp.DDL, exp.DML, exp.Command, exp.Drop, exp.Alter, exp.TruncateTable, exp.Grant, exp.Set,
)  # fmt: skip


class RefusedExpression(ValueError):
    """The expression does something a masking expression may not do."""


@cache
def _allowed_functions() -> tuple[frozenset[type[exp.Expression]], frozenset[str]]:
    nodes: set[type[exp.Expression]] = set()
    anonymous: set[str] = set()
    for call in ALLOWED_CALLS:
        node = expression(sqlglot.parse_one(call, read="postgres"))
        if isinstance(node, exp.Anonymous):
            anonymous.add(node.name.lower())
        else:
            nodes.add(type(node))
    return frozenset(nodes), frozenset(anonymous)


def parse_expression(text: str) -> exp.Expression:
    """Parse and refuse anything but one allowed expression; RefusedExpression says why."""
    try:
        statements = [s for s in sqlglot.parse(text, read="postgres") if s is not None]
    except ParseError as err:
        raise RefusedExpression(f"not valid SQL: {err.errors[0]['description']}") from None
    if len(statements) != 1:
        raise RefusedExpression(f"one expression expected, got {len(statements)} statements")
    tree = expression(statements[0])
    for node in tree.walk():
        _refuse_node(expression(node), text)
    return tree


def _written_name(node: exp.Func, text: str) -> str:
    """The function's name as the user wrote it: sqlglot maps several PostgreSQL functions
    to its own nodes (sha256 to SHA2Digest), whose sql_name() the user never wrote."""
    start, end = node.meta.get("start"), node.meta.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < len(text):
        return text[start : end + 1]
    return node.sql_name().lower()


def _refuse_node(node: exp.Expression, text: str) -> None:
    functions, anonymous = _allowed_functions()
    shown = node.sql(dialect="postgres")[:60]
    if isinstance(node, STATEMENTS):
        raise RefusedExpression(f"statements are not allowed: {shown}")
    if isinstance(node, exp.Query | exp.Subquery):
        raise RefusedExpression(f"subqueries are not allowed: {shown}")
    if isinstance(node, exp.Anonymous):
        if node.name.lower() not in anonymous:
            raise RefusedExpression(f"function {node.name}() is not allowed")
        return
    if isinstance(node, exp.Func) and not isinstance(node, ALLOWED_NODES):
        if type(node) not in functions:
            raise RefusedExpression(f"function {_written_name(node, text)}() is not allowed")
        return
    if isinstance(node, exp.Column) and (node.table or node.args.get("db")):
        raise RefusedExpression(f"qualified column references are not allowed: {shown}")
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.USERDEFINED:
        raise RefusedExpression(f"casts to user-defined types are not allowed: {shown}")
    if not isinstance(node, ALLOWED_NODES):
        raise RefusedExpression(f"{type(node).__name__.lower()} is not allowed: {shown}")


def column_name(column: exp.Column) -> str:
    """The column's name as PostgreSQL resolves it (unquoted names fold to lower case)."""
    ident = column.this
    return str(ident.this) if ident.quoted else str(ident.this).lower()


def columns(tree: exp.Expression) -> list[str]:
    """Names of the columns the expression reads."""
    return [column_name(c) for c in tree.find_all(exp.Column)]


def quoted(tree: exp.Expression) -> exp.Expression:
    """A copy with every column quoted under its resolved name (no case surprises)."""
    tree = tree.copy()
    for col in list(tree.find_all(exp.Column)):
        col.replace(exp.column(column_name(col), quoted=True))
    return tree
