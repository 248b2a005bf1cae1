"""Binary values with email addresses in their bytes (Airflow's pickled XCom values).

No UTF-8 text, so the bytea text detectors passed them by: the column was kept with no
note and every address reached staging. Now such a column is replaced whole (NULL, or
no bytes in a NOT NULL column) with a REVIEW note; binary values without addresses
(digests, random ids) stay kept."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, strategy_of

ROWS = 200
SCHEMA = """
CREATE TABLE xcom (id int PRIMARY KEY, value bytea, payload bytea NOT NULL);
CREATE TABLE blobs (id int PRIMARY KEY, digest bytea, notice bytea);
"""


def _address(i: int) -> str:
    return f"owner{i}.report@mail.example.org"


def _build(dsn: str) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO xcom VALUES (%s, %s, %s)",
            [
                (
                    i,
                    pickle.dumps({"rows": i, "report_to": _address(i)}, protocol=4),
                    pickle.dumps([_address(i), i], protocol=2),
                )
                for i in range(ROWS)
            ],
        )
        cur.executemany(
            "INSERT INTO blobs VALUES (%s, %s, %s)",
            [
                (
                    i,
                    hashlib.sha256(str(i).encode()).digest(),
                    pickle.dumps({"from": "noreply@github.com", "run": i}, protocol=4),
                )
                for i in range(ROWS)
            ],
        )


def test_pickled_values_holding_addresses_are_replaced(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    _build(dsn)
    dsn, text = generate_then_mask(lambda prefix: dsn, tmp_path, "SELECT 1")
    assert strategy_of(text, "public.xcom", "value") == "null"
    assert strategy_of(text, "public.xcom", "payload") == "constant"  # NOT NULL: no bytes
    assert "with email addresses in them" in comment_of(text, "public.xcom", "value")
    assert strategy_of(text, "public.blobs", "digest") == "keep"
    assert strategy_of(text, "public.blobs", "notice") == "keep"  # the service's own sender
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM xcom WHERE value IS NOT NULL OR length(payload) > 0"
        ).fetchone()
        digests = conn.execute("SELECT count(DISTINCT digest) FROM blobs").fetchone()
    assert left == (0,)
    assert digests == (ROWS,)
