"""Benchmark: dbrefresh's anonymize against a plain rewrite of the same tables.

A shop-like database (customers with a unique email, orders with an FK to them) is
built once with set-based SQL, then copied twice with CREATE DATABASE ... TEMPLATE so
both measurements start from identical data, VACUUM ANALYZEd and CHECKPOINTed:

  (a) dbrefresh: mark_clone() + anonymize() with a realistic rules file;
  (b) baseline: CREATE TABLE AS SELECT * of both tables, then the same PK, unique
      email, FK and FK index.

The ratio a/b says what masking costs over the least work any in-place rewrite must
do. Without --dsn a throw-away PostgreSQL 15 is started (fsync off for both runs).

Run: .venv/bin/python bench/anonymize.py [--dsn DSN] [--customers N] [--orders N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from dbrefresh.db import with_database
from dbrefresh.workflow.sqlutil import create_database, drop_database

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "shared_buffers": "1GB",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "1h",
    "maintenance_work_mem": "512MB",
    "listen_addresses": "",
}
STARTED = time.monotonic()

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hugo",
    "Ida",
    "Jonas",
    "Lea",
    "Max",
    "Nora",
    "Oskar",
    "Paula",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
]
CITIES = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt",
    "Stuttgart",
    "Leipzig",
    "Dresden",
    "Bremen",
    "Hannover",
]

BUILD = """
CREATE TABLE customers (
    id bigint NOT NULL, first_name text NOT NULL, last_name text NOT NULL,
    email text NOT NULL, phone text, street text, city text, postcode text,
    birth_date date, iban text, notes text);
INSERT INTO customers
SELECT g,
       (%(first)s::text[])[1 + g %% 15],
       (%(last)s::text[])[1 + (g / 15) %% 10],
       'customer' || g || '@mail.example.org',
       '+49 ' || (30 + g %% 70) || ' ' || lpad(((g * 7919) %% 10000000)::text, 7, '0'),
       'Hauptstraße ' || (1 + g %% 250),
       (%(cities)s::text[])[1 + g %% 10],
       lpad(((g * 31) %% 99999)::text, 5, '0'),
       date '1940-01-01' + ((g * 13) %% 25000)::int,
       'DE' || lpad((g %% 97)::text, 2, '0') || lpad(((g * 104729) %% 1e18)::text, 18, '0'),
       CASE WHEN g %% 3 = 0 THEN 'prefers calls after 6pm, ask for ' ||
            (%(first)s::text[])[1 + g %% 15] END
  FROM generate_series(1::bigint, %(customers)s) g;
ALTER TABLE customers ADD PRIMARY KEY (id);
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);
CREATE TABLE orders (
    id bigint NOT NULL, customer_id bigint NOT NULL, ship_street text, ship_city text,
    ship_postcode text, amount numeric(10, 2) NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO orders
SELECT g,
       1 + (g * 7919) %% %(customers)s,
       'Bahnhofstraße ' || (1 + g %% 180),
       (%(cities)s::text[])[1 + (g / 7) %% 10],
       lpad(((g * 17) %% 99999)::text, 5, '0'),
       ((g * 37) %% 100000) / 100.0,
       timestamptz '2020-01-01' + make_interval(secs => (g * 97) %% 150000000)
  FROM generate_series(1::bigint, %(orders)s) g;
ALTER TABLE orders ADD PRIMARY KEY (id);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id);
"""

BASELINE = [
    "CREATE TABLE customers_copy AS SELECT * FROM customers",
    "CREATE TABLE orders_copy AS SELECT * FROM orders",
    "ALTER TABLE customers_copy ADD PRIMARY KEY (id)",
    "ALTER TABLE customers_copy ADD CONSTRAINT customers_copy_email_key UNIQUE (email)",
    "ALTER TABLE orders_copy ADD PRIMARY KEY (id)",
    "CREATE INDEX orders_copy_customer_id_idx ON orders_copy (customer_id)",
    "ALTER TABLE orders_copy ADD CONSTRAINT orders_copy_customer_id_fkey"
    " FOREIGN KEY (customer_id) REFERENCES customers_copy (id)",
]

RULES = """\
version: 1
defaults: {unlisted_columns: fail, seed_env: DBREFRESH_SEED}
tables:
  public.customers:
    columns:
      id: keep
      first_name: first_name
      last_name: last_name
      email: {strategy: email, unique: true}
      phone: {strategy: digits, keep_prefix: 3}
      street: street
      city: city
      postcode: postcode
      birth_date: {strategy: date_shift, max_days: 60}
      iban: {strategy: partial, keep_last: 4}
      notes: lorem
  public.orders:
    columns:
      id: keep
      customer_id: keep
      ship_street: street
      ship_city: city
      ship_postcode: postcode
      amount: keep
      created_at: keep
"""


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:8.1f}s] {message}", flush=True)


@contextmanager
def heartbeat(what: str, every: float = 30.0) -> Iterator[None]:
    """Print that `what` is still running every `every` seconds (long runs stay visible)."""
    done = threading.Event()
    began = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            say(f"... {what} still running ({time.monotonic() - began:.0f}s)")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def throwaway_server() -> Iterator[str]:
    """A fresh PostgreSQL 15 on a Unix socket in a temp dir; yields an admin DSN."""
    base = Path(tempfile.mkdtemp(prefix="dbrefresh-bench-", dir="/tmp"))
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    options = " ".join(
        f"-c {k}={v!r}" if v == "" else f"-c {k}={v}" for k, v in SERVER_SETTINGS.items()
    )
    try:
        say(f"initdb in {data}")
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-w",
                    "-o",
                    f"-p 5432 -k {base} {options}",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        say(
            "server started ("
            + ", ".join(f"{k}={v}" for k, v in SERVER_SETTINGS.items() if k != "listen_addresses")
            + ")"
        )
        yield f"host={base} port=5432 user=postgres dbname=postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
            say("server stopped")
        shutil.rmtree(base, ignore_errors=True)


def build_source(dsn: str, customers: int, orders: int) -> None:
    say(f"building {customers:,} customers and {orders:,} orders")
    # Client-side binding: one round trip for the whole multi-statement script.
    with (
        psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn,
        heartbeat("data build"),
    ):
        conn.execute(
            BUILD,
            {
                "first": FIRST,
                "last": LAST,
                "cities": CITIES,
                "customers": customers,
                "orders": orders,
            },
        )
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    say(f"source database built ({size[0] if size else '?'})")


def settle(dsn: str) -> None:
    """Same starting state for both timings: fresh statistics, no dirty buffers."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def time_dbrefresh(dsn: str, rules: Path) -> float:
    from dbrefresh.anonymize.api import anonymize, mark_clone

    settle(dsn)
    say("(a) dbrefresh: mark_clone + anonymize")
    started = time.perf_counter()
    with heartbeat("dbrefresh anonymize"):
        mark_clone(dsn)
        report = anonymize(dsn, [rules], seed="bench", progress=False)
    elapsed = time.perf_counter() - started
    say(f"(a) dbrefresh done in {elapsed:.2f}s")
    # Tables swapped together report their group's one transaction: count it once.
    swaps = {round(t.seconds, 6): t.table for t in report.tables if t.action == "rewrite"}
    say(
        "    swap transactions (one core each): "
        + ", ".join(f"{seconds:.2f}s ({table} ...)" for seconds, table in swaps.items())
        + f"; masked copies and setup: {elapsed - sum(swaps):.2f}s"
    )
    check_masked(dsn)
    return elapsed


def check_masked(dsn: str) -> None:
    """Outside the timing: the run really rewrote the data (a no-op is not a result)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE email LIKE 'customer%@mail.example.org'),"
            " count(*) FILTER (WHERE street LIKE 'Hauptstraße %') FROM customers"
        ).fetchone()
    if row is None or row != (0, 0):
        raise SystemExit(f"anonymize left original values: {row}")


def time_baseline(dsn: str) -> float:
    settle(dsn)
    say("(b) baseline: CREATE TABLE AS + PK, unique, FK and its index")
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn, heartbeat("baseline rewrite"):
        for statement in BASELINE:
            say(f"    {statement.split(' (')[0][:70]}")
            conn.execute(statement)
        conn.commit()
    elapsed = time.perf_counter() - started
    say(f"(b) baseline done in {elapsed:.2f}s")
    return elapsed


def run(admin_dsn: str, customers: int, orders: int, keep: bool) -> None:
    tag = uuid.uuid4().hex[:8]
    source, db_a, db_b = f"bench_src_{tag}", f"bench_a_{tag}", f"bench_b_{tag}"
    try:
        create_database(admin_dsn, source)
        build_source(with_database(admin_dsn, source), customers, orders)
        settle(with_database(admin_dsn, source))
        create_database(admin_dsn, db_a, template=source)
        create_database(admin_dsn, db_b, template=source)
        say("copies made with CREATE DATABASE ... TEMPLATE")
        with tempfile.TemporaryDirectory(prefix="dbrefresh-bench-rules-") as tmp:
            rules = Path(tmp) / "shop.yaml"
            rules.write_text(RULES, encoding="utf-8")
            ours = time_dbrefresh(with_database(admin_dsn, db_a), rules)
        plain = time_baseline(with_database(admin_dsn, db_b))
        print(f"customers: {customers:,}  orders: {orders:,}")
        print(f"dbrefresh anonymize: {ours:.2f}s")
        print(f"plain rewrite:       {plain:.2f}s")
        print(f"ratio: {ours / plain:.2f}")
    finally:
        if not keep:
            for name in (db_a, db_b, source):
                drop_database(admin_dsn, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--dsn", help="admin DSN of a server to use (default: start one)")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=3_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases (with --dsn)")
    args = parser.parse_args()
    if args.dsn:
        run(args.dsn, args.customers, args.orders, args.keep)
        return
    with throwaway_server() as dsn:
        run(dsn, args.customers, args.orders, keep=False)


if __name__ == "__main__":
    main()
