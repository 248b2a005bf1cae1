"""vector: an embedding replaced by a keyed pseudo-random vector of the same dimension.

A face embedding (Immich's face_search.embedding, 512 floats), a CLIP embedding of a
photo or of a user's message can be matched against a new photo of the person, or
partly inverted back to them; `noise` keeps each element close, so the nearest
neighbour of an original is still its own row. Here every element is drawn anew from
the keyed digest of the whole value: the same embedding stored twice masks alike (the
digest is of its text), nothing of the original's direction survives, the dimension
does (a `vector(512)` or a CHECK on the length still holds).

Elements are uniform in [-scale, scale] (16 bits each, four from one
hashtextextended() of the digest's hex, seeded by the element's group), or with
`normalize` divided by the vector's L2 norm, so a column of unit vectors (cosine
similarity, the usual for embeddings) stays one. real[], double precision[], numeric[],
domains over them, and pgvector's `vector`/`halfvec` (through their text form
'[1,2,3]'). NULL stays NULL, an empty array stays empty; NULL elements are filled too
(an embedding has none).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import restore_shape

FLOAT_ELEMENTS = frozenset({"float4", "float8", "numeric"})
PGVECTOR_TYPES = frozenset({"vector", "halfvec"})  # pgvector's dense vectors: '[1,2,3]'
ELEMENT_BITS = 16
PER_HASH = 4  # 16-bit elements per 64-bit hashtextextended()
INDEX = "_dbr_vi"
DRAWN = "_dbr_vu"


class VectorParams(StrategyParams):
    normalize: bool = False
    """Give every masked vector L2 norm 1 (for a column of unit vectors: rules init sets
    it when every sampled original had norm 1)."""
    scale: float | None = Field(default=None, gt=0)
    """Largest absolute element, without normalize (default 1): elements are drawn from
    [-scale, scale]."""

    @model_validator(mode="after")
    def _scale_or_normalize(self) -> Self:
        if self.normalize and self.scale is not None:
            raise ValueError("scale has no effect with normalize: set one of them")
        return self


@register
class Vector(Strategy[VectorParams]):
    name = "vector"
    summary = (
        "Replace an embedding (float array, pgvector) by a keyed random vector of the same "
        "dimension; unit length with normalize."
    )
    params_model = VectorParams

    def check(self, params: VectorParams, ctx: ColumnContext) -> list[str]:
        t = ctx.type
        if t.is_array and t.base in FLOAT_ELEMENTS:
            largest = 1.0 if params.normalize else params.scale or 1.0
            if t.precision is not None and 10 ** (t.precision - (t.scale or 0)) <= largest:
                return [f"vector draws elements up to {largest:g}; {ctx.column} is {t.sql}"]
            return []
        if not t.is_array and t.base in PGVECTOR_TYPES:
            return []
        return [
            "vector needs a real[], double precision[] or numeric[] column or a pgvector "
            f"vector; {ctx.column} is {t.sql}"
        ]

    def compile(self, params: VectorParams, ctx: ColumnContext) -> exp.Expression:
        if ctx.type.base in PGVECTOR_TYPES and not ctx.type.is_array:
            return sqlbuild.null_guard(ctx, self._pgvector(params, ctx))
        hexed = sqlbuild.fill("encode(:h, 'hex')", h=sqlbuild.digest(ctx, self.name))
        dimension = sqlbuild.fill("COALESCE(cardinality(:v), 0)", v=ctx.ref)
        flat = sqlbuild.let(
            "vh",
            hexed,
            lambda h: sqlbuild.cast(_elements(params, h, dimension), ctx.type.sql),
        )
        return sqlbuild.null_guard(ctx, restore_shape(ctx, flat))

    def _pgvector(self, params: VectorParams, ctx: ColumnContext) -> exp.Expression:
        """'[0.1,-0.2,...]': the dimension counted from the text the digest reads (one
        rendering of the value), the elements written back in that form."""
        prefix = sqlbuild.key_prefix(ctx, self.name)

        def body(refs: sqlbuild.Refs) -> exp.Expression:
            dimension = sqlbuild.fill(
                "length(:t) - length(replace(:t2, ',', '')) + 1", t=refs["vt"], t2=refs["vt"]
            )
            elements = _elements(params, refs["vh"], dimension)
            text = sqlbuild.fill("'[' || array_to_string(:a, ',') || ']'", a=elements)
            return sqlbuild.cast(text, ctx.type.sql)

        return sqlbuild.bind(
            [
                ("vt", lambda _: sqlbuild.as_text(ctx.ref)),
                (
                    "vh",
                    lambda refs: sqlbuild.fill(
                        "encode(dbrefresh.keyed(:p, :t), 'hex')", p=prefix, t=refs["vt"]
                    ),
                ),
            ],
            body,
        )


def _elements(
    params: VectorParams, hexed: exp.Expression, dimension: exp.Expression
) -> exp.Expression:
    """float8[] of `dimension` elements drawn from the bound digest hex: element i is 16
    bits of hashtextextended(hex, i / 4), uniform in (-1, 1) and never 0 (so a norm is
    never 0), scaled or divided by the vector's norm (a window over the drawn set)."""
    drawn = sqlbuild.fill(
        f'(CAST((hashtextextended(:h COLLATE "C", {INDEX} / {PER_HASH})'
        f" >> ({ELEMENT_BITS} * ({INDEX} % {PER_HASH}))) & 65535 AS DOUBLE PRECISION)"
        " + 0.5) / 32768 - 1",
        h=hexed,
    )
    if params.normalize:
        value = f"{DRAWN} / sqrt(sum({DRAWN} * {DRAWN}) OVER ())"
    else:
        value = f"{DRAWN} * {params.scale or 1.0!r}"
    return sqlbuild.fill(
        f"ARRAY(SELECT {value} FROM (SELECT {INDEX}, :u AS {DRAWN}"
        f" FROM generate_series(0, :n - 1) AS _dbr_vg({INDEX})) AS _dbr_ve ORDER BY {INDEX})",
        u=drawn,
        n=dimension,
    )
