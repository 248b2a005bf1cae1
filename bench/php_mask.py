"""Benchmark: dbrefresh.php_mask (the php_serialized strategy) on PHP-serialised settings.

Fills a table with N WordPress-like settings (email, name with an umlaut, phone, birth
date, city, locale, a nested array with two more strings, an int; ~300 bytes), installs the
masking support and prints the backend's seconds (best of 3) of
SELECT count(php_mask(...)) minus the same count of the unmasked column, and the
microseconds per row, once masking every string and once under `keys`.

Run: .venv/bin/python bench/php_mask.py --dsn DSN [--rows N]
"""

from __future__ import annotations

import argparse
import time

import psycopg

from dbrefresh.strategies import keyed, sqlsupport

SETUP = """
DROP TABLE IF EXISTS php_bench;
CREATE TABLE php_bench AS
SELECT g AS id, format(
  'a:8:{s:5:"email";s:%s:"%s";s:4:"name";s:%s:"%s";s:5:"phone";s:%s:"%s";'
  's:8:"birthday";s:10:"%s";s:4:"city";s:%s:"%s";s:6:"locale";s:5:"de_DE";'
  's:5:"prefs";a:2:{s:5:"theme";s:4:"dark";s:3:"zip";s:5:"%s";}'
  's:7:"user_id";i:%s;}',
  octet_length(e), e, octet_length(n), n, octet_length(p), p,
  date '1950-01-01' + g % 20000, octet_length(c), c, lpad((g % 99999)::text, 5, '0'),
  g) AS v
FROM generate_series(1, %(rows)s) g,
LATERAL (SELECT 'user' || g || '@mail.example' AS e,
                'Jürgen Müller-' || g AS n,
                '+49 (151) ' || lpad(g::text, 7, '0') AS p,
                'Düsseldorf' AS c) x;
ANALYZE php_bench;
"""


def cpu_seconds(conn: psycopg.Connection[object], query: str) -> float:
    """Best of 3: the backend's CPU time when local (schedstat), else wall time."""
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row
    path = f"/proc/{row[0]}/schedstat"
    best = float("inf")
    for _ in range(3):
        try:
            with open(path) as f:
                before = int(f.read().split()[0]) / 1e9
            conn.execute(query)
            with open(path) as f:
                best = min(best, int(f.read().split()[0]) / 1e9 - before)
        except OSError:
            started = time.perf_counter()
            conn.execute(query)
            best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        sqlsupport.install(conn)
        conn.execute(SETUP.replace("%(rows)s", str(args.rows)).encode())
        conn.execute("SET jit = off")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        conn.execute(*keyed.key_setting_sql(keyed.derive_key("bench")))
        prefix = "(SELECT dbrefresh.key_prefix(current_setting('dbrefresh.key'), 'php'))"
        row = conn.execute(
            f"SELECT count(*) FROM php_bench WHERE dbrefresh.php_mask(v, {prefix}, NULL) = 'N;'"
        ).fetchone()
        assert row == (0,), f"{row} values did not parse"
        base = cpu_seconds(conn, "SELECT count(v) FROM php_bench")
        for label, keys in (
            ("every string", "NULL::text[]"),
            ("keys", "ARRAY['email','name','phone','birthday','zip','user_id']"),
        ):
            expr = f"dbrefresh.php_mask(v, {prefix}, {keys})"
            spent = cpu_seconds(conn, f"SELECT count({expr}) FROM php_bench") - base
            print(f"{label:>12}: {spent:.2f} s, {spent / args.rows * 1e6:.1f} us/row")


if __name__ == "__main__":
    main()
