"""verify's statistics check probes dbrefresh.leak_hashes for each value in pg_stats:
through an index on (table_name, column_name) alone, each probe read every sampled row
of its column (15,000 probes x 10,000 rows: 20-47 s on a large clone). The index now
holds hash too, and an older clone's schema gets it when it is installed again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.anonymize.clone import install_schema
from tests.anonymize.helpers import db_with_rules

OLD_INDEX = "CREATE INDEX leak_hashes_column ON dbrefresh.leak_hashes (table_name, column_name)"


def test_a_hash_probe_is_an_index_lookup_on_old_and_new_clones(make_db: Any) -> None:
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        install_schema(conn)
        # an older clone's schema: only the (table_name, column_name) index
        conn.execute("DROP INDEX IF EXISTS dbrefresh.leak_hashes_hash")
        conn.execute("DROP INDEX IF EXISTS dbrefresh.leak_hashes_column")
        conn.execute(OLD_INDEX)
        install_schema(conn)
        indexes = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'leak_hashes'"
        ).fetchall()
        assert indexes == [("leak_hashes_hash",)]
        conn.execute(
            "INSERT INTO dbrefresh.leak_hashes (table_name, column_name, row_key, hash) "
            "SELECT 'public.events_1', 'email', g::text, sha256(g::text::bytea) "
            "FROM generate_series(1, 20000) g"
        )
        conn.execute("ANALYZE dbrefresh.leak_hashes")
        [(plan,)] = conn.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM dbrefresh.leak_hashes h "
            "WHERE h.table_name = 'public.events_1' AND h.column_name = 'email' "
            "AND h.hash = sha256('7'::bytea)"
        ).fetchall()
    text = json.dumps(plan)
    assert "Index Cond" in text and "hash = " in json.dumps(plan[0]["Plan"].get("Index Cond"))


EVENTS = """
CREATE TABLE events (id int, month int NOT NULL, email text, PRIMARY KEY (id, month))
  PARTITION BY LIST (month);
CREATE TABLE events_0 PARTITION OF events FOR VALUES IN (0);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
CREATE TABLE events_2 PARTITION OF events FOR VALUES IN (2);
CREATE TABLE events_3 PARTITION OF events FOR VALUES IN (3);
INSERT INTO events SELECT g, g % 4, 'user' || g || '@mail.example'
  FROM generate_series(1, 12000) g;
ANALYZE events;
"""
EVENT_RULES = """version: 1
tables:
  public.events:
    columns:
      id: keep
      month: keep
      email: {strategy: email, unique: true}
"""


def test_a_partitioned_table_shares_one_sample(make_db: Any, tmp_path: Path) -> None:
    """10,000 sampled rows per partition filled leak_hashes with 1.2M rows of one
    60-partition table (and verify probed them all); the partitions now share the rule
    table's 10,000, each keeping 1,000 at least, and verify still checks each."""
    dsn, rules = db_with_rules(make_db, tmp_path, EVENTS, EVENT_RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT table_name, count(*) FROM dbrefresh.leak_hashes GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert rows == [(f"public.events_{m}", 2500) for m in range(4)]
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == [] and report.sampled == {
        f"public.events_{m}.email": 2500 for m in range(4)
    }
