"""verify's statistics check probes dbrefresh.leak_hashes for each value in pg_stats:
through an index on (table_name, column_name) alone, each probe read every sampled row
of its column (15,000 probes x 10,000 rows: 20-47 s on a large clone). The index now
holds hash too, and an older clone's schema gets it when it is installed again."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from dbrefresh.anonymize.clone import install_schema

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
