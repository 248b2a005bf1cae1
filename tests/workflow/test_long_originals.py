"""Long originals (a document body) in the byte search: hyperscan refuses literals of
16 kB, and in a pool's initializer that refusal only broke the pool, so every run with
a long masked text column failed with "a worker process died (killed?)". A value is
now sampled and searched by its first MAX_NEEDLE bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import dbrefresh.workflow.bytesearch as bs
from dbrefresh.rules.load import load_rules
from dbrefresh.workflow.masking import sample_originals
from tests.anonymize.helpers import db_with_rules


@pytest.mark.parametrize("matcher", ["hyperscan", "regex"])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_needle_of_any_length_is_found_by_its_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, matcher: str, workers: int
) -> None:
    if matcher == "regex":
        monkeypatch.setattr(bs, "hyperscan", None)
    elif bs.hyperscan is None:
        pytest.skip("no hyperscan wheel on this platform")
    monkeypatch.setattr(bs, "PARALLEL_BYTES", 0)  # the forked workers on a small tree
    document = b"Dear Ms Keller, " + b"".join(b"line %d of the letter. " % i for i in range(900))
    assert len(document) > 16384
    (tmp_path / "toast").write_bytes(os.urandom(100) + document)
    (tmp_path / "heap").write_bytes(os.urandom(100) + b"short-needle-1234")
    (tmp_path / "other").write_bytes(os.urandom(1000))
    hits = bs.search_tree(tmp_path, [b"short-needle-1234", document], per_needle=1, workers=workers)
    found = sorted((Path(h.path).name, h.offset, h.needle == document) for h in hits)
    assert found == [("heap", 100, False), ("toast", 100, True)]


def test_long_originals_are_sampled_by_their_first_bytes(make_db, tmp_path: Path) -> None:
    dsn, path = db_with_rules(
        make_db,
        tmp_path,
        "CREATE TABLE documents (id int PRIMARY KEY, body text);"
        "INSERT INTO documents VALUES (1, repeat('Grüße von Anna Keller. ', 2000)),"
        " (2, 'a short body of a letter'), (3, 'a' || repeat('ü', 5000));",
        "version: 1\ntables:\n  public.documents:\n    columns:\n      id: keep\n"
        "      body: {strategy: lorem}\n",
        "docs.yaml",
    )
    [values] = sample_originals(dsn, load_rules([path]), 1000).values()
    # the last 'ü' of row 3 does not fit: the prefix stays text (the legitimacy check
    # looks for it in the masked values)
    assert sorted(len(v) for v in values) == [24, bs.MAX_NEEDLE - 1, bs.MAX_NEEDLE]
    assert max(values, key=len).decode().startswith("Grüße von Anna Keller. Grüße")
