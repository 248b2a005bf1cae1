"""What jsonb writes into a text column in place of a value it cannot mask.

A value that is no JSON (a legacy row the rules' sample missed), or whose masked
document no longer fits a varchar(n), is neither kept (it may name someone) nor left
to fail the table: it becomes NULL, or the JSON text `null` in a NOT NULL column. On a
unique column, two such rows made two `null`s (NOT NULL) or two NULLs (a unique
constraint NULLS NOT DISTINCT, which the catalog does not tell) and the refill failed
on the constraint every night; there it becomes a JSON string of the keyed hash of the
original ('"3f9c..."'): valid JSON, unique as the originals are, and nothing of them.
A document that is a JSON string ('"Ann Lee"', a stray the sample counts as no
document) is no document either: it may be anything, and goes the same way; JSON
null, true, false and numbers are kept.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.hash import DEFAULT_HEX, INJECTIVE_HEX

TAG = "jsonb_stray"
QUOTES = 2  # the JSON string's own


def _hex_length(ctx: ColumnContext) -> int:
    """Hex characters of the hash: 32, or what a varchar(n) leaves beside the quotes."""
    if ctx.type.length is None:
        return DEFAULT_HEX
    return max(1, min(DEFAULT_HEX, ctx.type.length - QUOTES))


def needs_hash(ctx: ColumnContext) -> bool:
    """Whether the replacement must differ row by row (a unique text or bytea column)."""
    return (ctx.type.is_text or ctx.type.base == "bytea") and ctx.unique


def lossy(ctx: ColumnContext) -> bool:
    """Whether two replacements may collide: a varchar(n) too short for a hash that is
    injective in practice."""
    return needs_hash(ctx) and _hex_length(ctx) < INJECTIVE_HEX


def replacement(ctx: ColumnContext) -> exp.Expression:
    """The text written for an unmaskable value of the column (see the module)."""
    if not needs_hash(ctx):
        return sqlbuild.fill("CAST(NULL AS TEXT)") if ctx.nullable else sqlbuild.literal("null")
    length = _hex_length(ctx)
    hexed = sqlbuild.fill(
        "left(encode(substr(:h, 1, :b), 'hex'), :n)",
        h=sqlbuild.digest(ctx, TAG),
        b=(length + 1) // 2,
        n=length,
    )
    return sqlbuild.fill("CAST(to_json(:x) AS TEXT)", x=hexed)


def unless_string(parsed: exp.Expression, masked: exp.Expression) -> exp.Expression:
    """The masked document, or NULL (then `replacement`) for a JSON string."""
    return sqlbuild.fill(
        "CASE WHEN jsonb_typeof(:p) = 'string' THEN CAST(NULL AS JSONB) ELSE :m END",
        p=parsed,
        m=masked,
    )


def describe(*, nullable: bool, unique: bool) -> str:
    """What anonymize writes for such a value, for `rules init`'s notes."""
    if unique:
        return "a JSON string of the keyed hash of the value (the column is unique)"
    return "NULL" if nullable else "the JSON text null (the column is NOT NULL)"
