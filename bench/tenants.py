"""Benchmark: many small tables, as a schema-per-tenant application has them.

Each tenant schema holds users (unique email, phone, names), orders (FK to users,
shipping address) and eight tables of other data; the whole database is small, so
what this measures is the cost per table of every command: `rules init`, `rules
check`, `anonymize` and `verify`. A step whose cost grows with the number of tables
times itself (a catalog lookup by name per column, say) shows here first.

Run: .venv/bin/python bench/tenants.py [--dsn DSN] [--tenants N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg
from anonymize import say, throwaway_server

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.db import with_database
from dbrefresh.rules.check import check_rule_files
from dbrefresh.rules.init import generate_rules
from dbrefresh.workflow.sqlutil import create_database, drop_database

T = TypeVar("T")
OTHER_TABLES = 8

TENANT = """
CREATE SCHEMA {s};
CREATE TABLE {s}.users (id int PRIMARY KEY, email text NOT NULL UNIQUE, first_name text,
    last_name text, phone text, created_at timestamptz DEFAULT now());
INSERT INTO {s}.users SELECT g, 'u' || g || '@{s}.example', 'Anna', 'Schmidt',
    '+49 30 ' || (1000000 + g), now() FROM generate_series(1, 50) g;
CREATE TABLE {s}.orders (id int PRIMARY KEY, user_id int REFERENCES {s}.users (id),
    street text, city text, amount numeric(10,2));
INSERT INTO {s}.orders SELECT g, 1 + g % 50, 'Hauptstr. ' || g, 'Berlin', g
    FROM generate_series(1, 100) g;
"""
OTHER = """
CREATE TABLE {s}.thing{t} (id int PRIMARY KEY, label text, qty int);
INSERT INTO {s}.thing{t} SELECT g, 'x' || g, g FROM generate_series(1, 20) g;
"""


def build(dsn: str, tenants: int) -> None:
    say(f"building {tenants} tenant schemas x {2 + OTHER_TABLES} tables")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for i in range(tenants):
            schema = f"tenant_{i:04d}"
            script = TENANT.format(s=schema)
            script += "".join(OTHER.format(s=schema, t=t) for t in range(OTHER_TABLES))
            conn.execute(script.encode())
        conn.execute("VACUUM ANALYZE")


def timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = action()
    seconds = time.monotonic() - started
    say(f"{label}: {seconds:.2f}s")
    return result, seconds


def run(admin_dsn: str, tenants: int) -> None:
    name = f"bench_tenants_{uuid.uuid4().hex[:8]}"
    create_database(admin_dsn, name)
    dsn = with_database(admin_dsn, name)
    try:
        build(dsn, tenants)
        with tempfile.TemporaryDirectory(prefix="dbrefresh-bench-rules-") as tmp:
            rules = Path(tmp) / "tenants.yaml"

            def init() -> str:
                with psycopg.connect(dsn) as conn:
                    return generate_rules(conn)

            text, t_init = timed("rules init", init)
            rules.write_text(text, encoding="utf-8")
            findings, t_check = timed("rules check", lambda: check_rule_files([rules], dsn))
            assert not findings, findings
            mark_clone(dsn)
            report, t_anon = timed(
                "anonymize", lambda: anonymize(dsn, [rules], seed="bench", progress=False)
            )
            verified, t_verify = timed("verify", lambda: verify_report(dsn, [rules], seed="bench"))
            assert not verified.findings, verified.findings
        tables = tenants * (2 + OTHER_TABLES)
        print(f"tenants: {tenants}  tables: {tables}  masked relations: {len(report.tables)}")
        for label, seconds in [
            ("rules init", t_init),
            ("rules check", t_check),
            ("anonymize", t_anon),
            ("verify", t_verify),
        ]:
            print(f"{label + ':':13s}{seconds:7.2f}s  ({1000 * seconds / tables:.1f} ms per table)")
    finally:
        drop_database(admin_dsn, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="admin DSN of a server to use (else a throw-away one)")
    parser.add_argument("--tenants", type=int, default=200)
    args = parser.parse_args()
    if args.dsn:
        run(args.dsn, args.tenants)
    else:
        with throwaway_server() as dsn:
            run(dsn, args.tenants)


if __name__ == "__main__":
    main()
