"""Embedding columns: float arrays and pgvector vectors named like embeddings.

Immich's face_search.embedding (512 floats a detected face: biometric data) and
smart_search.embedding (CLIP embeddings of personal photos) were kept with no note,
and anyone with a photo of a person could find their rows in staging by nearest
neighbour. A kept real[], double precision[], numeric[] (or a domain over one) or
pgvector `vector`/`halfvec` column whose name says embedding, vector, encoding,
descriptor, features or face, and whose sampled values all have one dimension of at
least MIN_DIMENSION, gets `vector`: a keyed random vector of that dimension,
`normalize: true` when every sampled original had norm 1, else `scale` the largest
sampled element. Short float arrays (a bounding box, an RGB colour, coordinates) and
arrays of varying length (scores) are left alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.strategies.vector import FLOAT_ELEMENTS, PGVECTOR_TYPES

KIND = "embedding"
MIN_DIMENSION = 16  # below: a box, a colour, a point; a model's embedding has 64-4096
NORM_TOLERANCE = 1e-3  # float4 rounding leaves a unit vector within 1e-6 of 1
WORDS = frozenset(
    {
        "embedding", "embeddings", "embed", "vector", "vectors", "vec", "encoding",
        "encodings", "descriptor", "descriptors", "feature", "features", "face", "faces",
    }
)  # fmt: skip
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def named_like_embedding(name: str) -> bool:
    """'embedding', 'face_encoding', 'clipVector': a word of the name says so."""
    words = re.split(r"[^a-z0-9]+", _CAMEL.sub(r"\1_\2", name).lower())
    return any(w in WORDS for w in words)


def holds_vectors(column: Column) -> bool:
    """A float array (a domain over one included) or a pgvector dense vector."""
    t = column.type
    if t.is_array:
        return t.base in FLOAT_ELEMENTS
    return t.base in PGVECTOR_TYPES


def mask_embeddings(
    conn: psycopg.Connection[Any],
    table: Table,
    proposals: Mapping[str, ColumnProposal],
    sample_rows: int,
    keys: Collection[str],
) -> None:
    """Propose `vector` for the kept embedding columns of one table (one sample query
    each: the general sample reads an array's first elements only)."""
    for name, proposal in proposals.items():
        column = table.columns[name]
        if (
            proposal.masked
            or name in keys
            or column.generated
            or not holds_vectors(column)
            or not named_like_embedding(name)
        ):
            continue
        shape = _sampled_shape(conn, table, column, sample_rows)
        if shape is None:
            continue
        count, dimension, unit, peak = shape
        proposal.strategy, proposal.kind = "vector", KIND
        proposal.params = {"normalize": True} if unit else {"scale": _rounded_up(peak)}
        length = "unit vectors" if unit else f"elements up to {_rounded_up(peak):g}"
        proposal.why.append(
            f"an embedding ({dimension} floats in all {count} sampled, {length}): it "
            "matches a new photo or text of the person; a keyed random vector instead"
        )


def _sampled_shape(
    conn: psycopg.Connection[Any], table: Table, column: Column, rows: int
) -> tuple[int, int, bool, float] | None:
    """(values, dimension, all of norm 1, largest absolute element) of the sampled
    non-empty values, when they share one dimension of at least MIN_DIMENSION."""
    col = sql.Identifier(column.name)
    floats = (
        sql.SQL("CAST({} AS double precision[])")
        if column.type.is_array
        else sql.SQL("CAST(translate(CAST({} AS text), '[]', '{{}}') AS double precision[])")
    ).format(col)  # pgvector's '[1,2,3]' as '{1,2,3}'
    query = sql.SQL(
        "SELECT count(*), min(n), max(n), min(norm), max(norm), max(peak) FROM ("
        "SELECT cardinality(a) AS n, (SELECT sqrt(sum(x * x)) FROM unnest(a) AS x) AS norm,"
        " (SELECT max(abs(x)) FROM unnest(a) AS x) AS peak"
        " FROM (SELECT {floats} AS a FROM {sample} AS _dbr_s WHERE {col} IS NOT NULL) AS v"
        " WHERE cardinality(a) > 0) AS s"
    ).format(floats=floats, sample=spread_sample(table, rows), col=col)
    try:
        [(count, low, high, least, most, peak)] = sampled_rows(conn, query)
    except psycopg.Error:  # a timeout, NaN or infinity in an array: judged by no value
        return None
    if not count or low != high or low < MIN_DIMENSION:
        return None
    unit = abs(least - 1) <= NORM_TOLERANCE and abs(most - 1) <= NORM_TOLERANCE
    return int(count), int(low), unit, float(peak or 0)


def _rounded_up(peak: float) -> float:
    """The largest element, rounded up to two significant digits (1 for none)."""
    if not math.isfinite(peak) or peak <= 0:
        return 1.0
    step = 10.0 ** (math.floor(math.log10(peak)) - 1)
    return float(f"{math.ceil(peak / step - 1e-9) * step:.12g}")
