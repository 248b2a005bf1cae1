"""Embeddings: Immich's face_search.embedding (a domain over real[], 512 floats a face:
biometric) and smart_search.embedding (CLIP, unit vectors) were kept with no note, and a
photo of a person found their rows in staging. A float array named like an embedding
whose sampled values share one dimension of 16 or more gets `vector` (normalize when
the originals are unit vectors); short float arrays and arrays of varying length
(bounding boxes, colours, scores) and arrays of other names stay as they are."""

from __future__ import annotations

import math
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report

from .helpers import comment_of, generate_then_mask, rule_of

DIM = 128
SCHEMA = f"""
CREATE DOMAIN embedding AS real[] CHECK (array_length(VALUE, 1) = {DIM});
CREATE TABLE asset_faces (id int PRIMARY KEY, "faceBox" real[], "faceColorVector" real[],
  features double precision[], histogram real[]);
CREATE TABLE face_search ("faceId" int PRIMARY KEY REFERENCES asset_faces(id),
  embedding embedding NOT NULL);
CREATE TABLE smart_search ("assetId" int PRIMARY KEY, "clipEmbedding" double precision[]);
INSERT INTO asset_faces SELECT i,
  ARRAY[i, i + 1, i + 40, i + 41]::real[],
  ARRAY[0.1 * (i % 10), 0.5, 0.25]::real[],
  (SELECT array_agg(round((0.01 * j * i)::numeric, 2)::float8)
     FROM generate_series(1, 1 + i % 20) j),
  (SELECT array_agg((j * i % 97)::real) FROM generate_series(1, {DIM}) j)
  FROM generate_series(1, 60) i;
INSERT INTO face_search SELECT i, (SELECT array_agg(sin(i * 7 + j * 3.1)::real / 2)
  FROM generate_series(1, {DIM}) j) FROM generate_series(1, 60) i;
INSERT INTO smart_search SELECT i, (SELECT array_agg(x / norm) FROM
  (SELECT x, sqrt(sum(x * x) OVER ()) AS norm FROM
    (SELECT cos(i * 5 + j * 1.7) AS x FROM generate_series(1, {DIM}) j) s) t)
  FROM generate_series(1, 60) i;
INSERT INTO smart_search VALUES (61, NULL), (62, '{{}}');
"""


def test_embeddings_become_random_vectors_and_short_arrays_stay(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.face_search", "embedding") == {
        "strategy": "vector",
        "scale": 0.5,
    }
    assert "an embedding (128 floats" in comment_of(text, "public.face_search", "embedding")
    assert rule_of(text, "public.smart_search", "clipEmbedding") == {
        "strategy": "vector",
        "normalize": True,
    }
    for decoy in ("faceBox", "faceColorVector", "features", "histogram"):
        assert rule_of(text, "public.asset_faces", decoy) == "keep", decoy
    with psycopg.connect(dsn) as conn:
        faces = conn.execute('SELECT "faceId", embedding FROM face_search ORDER BY 1').fetchall()
        clips = dict(conn.execute('SELECT "assetId", "clipEmbedding" FROM smart_search'))
        decoys = conn.execute(
            'SELECT "faceBox"[1:4], "faceColorVector"[2], features[1], histogram[2]'
            " FROM asset_faces WHERE id = 5"
        ).fetchone()
    originals = {i: [math.sin(i * 7 + j * 3.1) / 2 for j in range(1, DIM + 1)] for i, _ in faces}
    for i, masked in faces:
        assert len(masked) == DIM and max(abs(x) for x in masked) <= 0.5
        assert all(abs(a - b) > 1e-6 for a, b in zip(masked, originals[i], strict=True))
    for i in range(1, 61):
        assert len(clips[i]) == DIM
        assert abs(sum(x * x for x in clips[i]) - 1) < 1e-9
    assert clips[61] is None and clips[62] == []
    assert decoys == ([5, 6, 45, 46], 0.5, 0.05, 10)
    report = verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init")
    assert report.sampled["public.face_search.embedding"] == 60
    assert report.sampled["public.smart_search.clipEmbedding"] == 60
    assert report.total_leaks == 0
