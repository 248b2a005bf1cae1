"""hash: the hex of the keyed digest, injective in practice (tokens, usernames, codes).

On a json or jsonb column the whole document becomes a JSON string of the hex: a
settings table's secret is a document that is one string (Listmonk's settings.value
'"wJalrXUtnFEMI/K7MDENG..."'), which no jsonb path names. JSON null and a blank string
are kept, as blank text is.
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

JSON_TYPES = frozenset({"json", "jsonb"})
INJECTIVE_HEX = 16  # 64 bits: collisions improbable below ~10^8 distinct values
DEFAULT_HEX = 32


class HashParams(StrategyParams):
    length: int | None = Field(default=None, ge=1, le=64)
    """Hex characters kept; default 32, or what the column's length allows."""
    prefix: str = Field(default="", max_length=32)
    """Text put before the hex (e.g. 'user_')."""


@register
class Hash(ScalarStrategy[HashParams]):
    name = "hash"
    summary = "Hex of the keyed sha256 of the value, with an optional prefix."
    params_model = HashParams
    lossy = False

    def is_lossy(self, params: HashParams) -> bool:
        return params.length is not None and params.length < INJECTIVE_HEX

    def fits(self, params: HashParams, ctx: ColumnContext) -> list[str]:
        if _is_json(ctx):
            return []
        if not ctx.type.is_text:
            return [f"hash produces text; {ctx.column} is {ctx.type.sql}"]
        needed = len(params.prefix) + (params.length or INJECTIVE_HEX)
        return sqlbuild.text_limit(ctx, needed, "hash")

    def masked(self, params: HashParams, ctx: ColumnContext) -> exp.Expression:
        length = params.length or DEFAULT_HEX
        if params.length is None and ctx.type.length is not None:
            length = max(INJECTIVE_HEX, min(DEFAULT_HEX, ctx.type.length - len(params.prefix)))
        # Only the bytes needed are hex-encoded (bytea substr is O(1); left() on text
        # walks characters); an odd length cuts the last hex digit.
        hexed = sqlbuild.fill(
            "encode(substr(:h, 1, :b), 'hex')",
            h=sqlbuild.digest(ctx, self.name),
            b=(length + 1) // 2,
        )
        if length % 2:
            hexed = sqlbuild.fill("left(:x, :n)", x=hexed, n=length)
        if params.prefix:
            hexed = sqlbuild.fill("(:p || :x)", p=params.prefix, x=hexed)
        if _is_json(ctx):
            return sqlbuild.fill(
                "CASE WHEN :kept THEN :v ELSE :j END",
                kept=_kept_json(ctx),
                v=ctx.ref,
                j=sqlbuild.cast(sqlbuild.fill("to_jsonb(:x)", x=hexed), ctx.type.sql),
            )
        return sqlbuild.fit_text(ctx, hexed, truncate=False)

    def leak_sample_when(self, params: HashParams, ctx: ColumnContext) -> exp.Expression | None:
        """A JSON null or blank string document is kept (it names no one)."""
        if _is_json(ctx) and not ctx.type.is_array:
            return sqlbuild.fill("NOT (:kept)", kept=_kept_json(ctx))
        return None


def _is_json(ctx: ColumnContext) -> bool:
    return ctx.type.base in JSON_TYPES


def _kept_json(ctx: ColumnContext) -> exp.Expression:
    """A JSON document that names no one: null, or a blank string."""
    doc = sqlbuild.cast(ctx.ref, "jsonb")
    return sqlbuild.fill(
        "COALESCE(jsonb_typeof(:d) = 'null' OR (jsonb_typeof(:d) = 'string' AND"
        " btrim(:d #>> CAST('{}' AS TEXT[])) = ''), FALSE)",
        d=doc,
    )
