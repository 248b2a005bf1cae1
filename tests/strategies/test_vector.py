"""vector: an embedding (Immich's face_search.embedding, 512 floats a face) becomes a
keyed random vector of the same dimension, so a new photo of the person no longer finds
its row by nearest neighbour (`noise` kept every element close, and the row with it)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import KEY_B, Masking

DIM = 64
ROWS = 40


def _unit(v: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


def _norm(v: list[Any]) -> float:
    return math.sqrt(sum(float(x) ** 2 for x in v))


@pytest.fixture
def faces(masking: Masking) -> list[list[float]]:
    """Rows 1..ROWS of face embeddings (unit vectors, row 2 a copy of row 1), row 98
    NULL, row 99 an empty array; the same values in real[], double precision[],
    numeric[] and a domain over real[] with a length CHECK."""
    conn = masking.conn
    rng = random.Random(7)
    vectors = [_unit([rng.gauss(0, 1) for _ in range(DIM)]) for _ in range(ROWS)]
    vectors[1] = vectors[0]  # the same face stored twice
    conn.execute("DROP TABLE IF EXISTS faces")
    conn.execute("DROP DOMAIN IF EXISTS face_vec")
    conn.execute(f"CREATE DOMAIN face_vec AS real[] CHECK (array_length(VALUE, 1) = {DIM})")
    conn.execute(
        "CREATE TABLE faces (id int PRIMARY KEY, r real[], d double precision[],"
        " n numeric[], dom face_vec)"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO faces VALUES (%s, %s::real[], %s, %s::numeric[], %s::real[])",
            [(i + 1, v, v, v, v) for i, v in enumerate(vectors)],
        )
    conn.execute("INSERT INTO faces VALUES (98, NULL, NULL, NULL, NULL)")
    conn.execute("INSERT INTO faces VALUES (99, '{}', '{}', '{}', NULL)")
    return vectors


@pytest.mark.parametrize("column", ["r", "d", "n", "dom"])
def test_an_embedding_becomes_another_of_its_dimension(
    masking: Masking, faces: list[list[float]], column: str
) -> None:
    rows = masking.run("vector", {"normalize": True}, column, table="faces")
    by_id = dict(zip([*range(1, ROWS + 1), 98, 99], rows, strict=True))
    for i in range(1, ROWS + 1):
        before, after = by_id[i]
        assert len(after) == DIM
        assert not any(
            math.isclose(float(a), float(b), abs_tol=1e-6)
            for a, b in zip(before, after, strict=True)
        )
        assert _norm(after) == pytest.approx(1, abs=1e-5)
    assert by_id[98] == (None, None)
    if column != "dom":
        assert by_id[99] == ([], [])
    assert by_id[1][1] == by_id[2][1]  # the same face masks alike
    assert by_id[1][1] != by_id[3][1]
    again = masking.run("vector", {"normalize": True}, column, table="faces")
    assert again == rows
    other = masking.run("vector", {"normalize": True}, column, table="faces", key=KEY_B)
    assert all(a[1] != b[1] for a, b in zip(rows[:ROWS], other[:ROWS], strict=True))


def test_the_nearest_neighbour_of_an_original_is_no_longer_its_row(
    masking: Masking, faces: list[list[float]]
) -> None:
    """A new photo of person k gives an embedding near k's; after masking the
    nearest stored vector is any row's (noise, for comparison, kept it k's)."""
    rng = random.Random(11)
    probes = [_unit([x + rng.gauss(0, 0.05) for x in v]) for v in faces]

    def nearest(stored: list[list[float]], probe: list[float]) -> int:
        return max(
            range(len(stored)),
            key=lambda i: sum(a * b for a, b in zip(probe, stored[i], strict=True)),
        )

    masked = [m for _, m in masking.run("vector", {"normalize": True}, "d", table="faces")]
    noised = [m for _, m in masking.run("noise", {"relative": 0.1}, "d", table="faces")]
    found = [nearest(masked[:ROWS], p) for p in probes]
    kept = [nearest(noised[:ROWS], p) for p in probes]
    assert sum(k in (i, 0 if i == 1 else i) for i, k in enumerate(kept)) == ROWS
    assert sum(f == i for i, f in enumerate(found)) <= 2  # chance: 1 in ROWS each


def test_without_normalize_elements_stay_within_scale(
    masking: Masking, faces: list[list[float]]
) -> None:
    rows = masking.run("vector", {"scale": 0.25}, "r", table="faces")
    elements = [x for _, m in rows[:ROWS] for x in m]
    assert max(abs(x) for x in elements) <= 0.25
    assert max(abs(x) for x in elements) > 0.2  # spread over the range, not squeezed
    assert len({_norm(m) for _, m in rows[:ROWS]}) > ROWS // 2  # not normalised


def test_a_pgvector_value_keeps_its_text_form(masking: Masking) -> None:
    """pgvector is not installed here: a type named `vector` with text's I/O stands in
    for it ('[1,2,3]' in, '[...]' out), so the text path is what is tested."""
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS smart_search")
    conn.execute("DROP TYPE IF EXISTS vector CASCADE")
    conn.execute("CREATE TYPE vector")
    conn.execute(
        "CREATE FUNCTION vector_in(cstring) RETURNS vector AS 'textin' LANGUAGE internal"
        " IMMUTABLE STRICT"
    )
    conn.execute(
        "CREATE FUNCTION vector_out(vector) RETURNS cstring AS 'textout' LANGUAGE internal"
        " IMMUTABLE STRICT"
    )
    conn.execute("CREATE TYPE vector (INPUT = vector_in, OUTPUT = vector_out, LIKE = text)")
    conn.execute("CREATE TABLE smart_search (id int PRIMARY KEY, embedding vector)")
    conn.execute(
        "INSERT INTO smart_search VALUES (1, '[0.6,0.8,0,0]'), (2, '[0.6,0.8,0,0]'),"
        " (3, '[1,0,0,0]'), (4, NULL)"
    )
    try:
        rows = masking.run("vector", {"normalize": True}, "embedding", table="smart_search")
        for before, after in rows[:3]:
            assert after.startswith("[") and after.endswith("]") and after != before
            values = [float(x) for x in after[1:-1].split(",")]
            assert len(values) == 4 and _norm(values) == pytest.approx(1)
        assert rows[0][1] == rows[1][1] != rows[2][1]
        assert rows[3] == (None, None)
    finally:
        conn.execute("DROP TABLE smart_search")
        conn.execute("DROP TYPE vector CASCADE")


def test_what_vector_refuses(masking: Masking) -> None:
    with pytest.raises(ValidationError, match="scale has no effect"):
        get("vector").parse_params({"normalize": True, "scale": 2})
    strategy = get("vector")
    params = strategy.parse_params({})
    for column in ("i4", "vc", "tags"):
        reasons = strategy.check(params, masking.context(column))
        assert reasons and "vector needs a real[]" in reasons[0], (column, reasons)
