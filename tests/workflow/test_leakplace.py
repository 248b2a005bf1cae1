"""A leak the byte search finds names the relation whose file holds it: a view's
definition spelling a customer's email out is not something a masking rule reaches."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.db import dsn_database, with_database
from dbrefresh.workflow.leakscan import scan

ORIGINAL = b"ceo@corp.example"


def test_a_leak_names_the_relation_whose_file_holds_it(make_db, tmp_path: Path) -> None:
    dsn = make_db()
    db = dsn_database(dsn)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL)")
        conn.execute("INSERT INTO people VALUES (1, 'someone@example.com')")
        conn.commit()
        files = [
            conn.execute("SELECT pg_relation_filepath(%s)", (name,)).fetchone()[0]  # type: ignore[index]
            for name in ("pg_rewrite", "people_pkey", "pg_database")
        ]
    rewrite, index, shared = files
    # a copy of a data directory holding the original in those files (a segment of the
    # view definitions' file too), in the WAL and in a file that is no relation's
    others = ["pg_wal/000000010000000000000001", "postgresql.auto.conf"]
    for relative in [rewrite, rewrite + ".1", index, shared, *others]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 100 + ORIGINAL + b"\0" * 100)
    key = f"{db}:public.people.email"
    searched, leaks = scan(tmp_path, {key: [ORIGINAL]}, lambda name: with_database(dsn, name))
    assert searched == 1
    assert leaks == {
        key: {
            f"{rewrite} ({db}: pg_catalog.pg_rewrite, view and rule definitions)",
            f"{rewrite}.1 ({db}: pg_catalog.pg_rewrite, view and rule definitions)",
            f"{index} ({db}: public.people_pkey, an index of public.people)",
            f"{shared} (shared: pg_catalog.pg_database)",
            "pg_wal/000000010000000000000001 (write-ahead log)",
            "postgresql.auto.conf",
        }
    }
