"""Measure each strategy's cost on 1M rows (not a test: run by hand).

.venv/bin/python tests/strategies/perf.py "host=... dbname=..." [strategy ...]
Prints, per strategy, the seconds (best of 3 runs) of SELECT count(<expr>) over 1M rows
minus the same count over the unmasked column, with JIT off (PERF_JIT=on to compare)
and no parallel workers. On a local server the time is the backend's CPU time
(/proc/<pid>/schedstat), which other load on a shared machine barely changes; wall time
otherwise.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.strategies import keyed, sqlsupport
from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.registry import get

ROWS = 1_000_000
SETUP = f"""
DROP TABLE IF EXISTS perf;
CREATE TABLE perf AS SELECT g AS id,
  'Name ' || g AS name, 'user' || g || '@mail.test' AS email,
  '+1 (555) ' || lpad(g::text, 7, '0') AS phone, 'DE89370400440532' || g AS iban,
  date '1970-01-01' + (g % 20000) AS born, now() - g * interval '1 minute' AS ts,
  (g % 100000)::numeric(10,2) / 7 AS amount, g AS qty,
  ('10.' || (g % 256) || '.' || (g / 256 % 256) || '.1')::inet AS ip,
  '10.' || (g % 256) || '.' || (g / 256 % 256) || '.1' AS ip_text,
  (ARRAY['49', '1', '33', '7'])[1 + g % 4] || lpad(g::text, 9, '5') AS e164,
  jsonb_build_object('name', 'N' || g, 'age', g % 90) AS doc
FROM generate_series(1, {ROWS}) g;
ANALYZE perf;
"""

CASES: dict[str, tuple[str, str, ColumnType, dict[str, Any]]] = {
    "keep": ("name", "", ColumnType("text", "text", "S"), {}),
    "null": ("name", "", ColumnType("text", "text", "S"), {}),
    "constant": ("name", "", ColumnType("text", "text", "S"), {"value": "x"}),
    "hash": ("email", "", ColumnType("text", "text", "S"), {}),
    "email": ("email", "", ColumnType("text", "text", "S"), {}),
    "email_unique": ("email", "email", ColumnType("text", "text", "S"), {"unique": True}),
    "first_name": ("name", "", ColumnType("text", "text", "S"), {}),
    "last_name": ("name", "", ColumnType("text", "text", "S"), {}),
    "full_name": ("name", "", ColumnType("text", "text", "S"), {}),
    "street": ("name", "", ColumnType("text", "text", "S"), {}),
    "city": ("name", "", ColumnType("text", "text", "S"), {}),
    "postcode": ("name", "", ColumnType("text", "text", "S"), {}),
    "company": ("name", "", ColumnType("text", "text", "S"), {}),
    "phone": ("phone", "", ColumnType("text", "text", "S"), {}),
    "digits": ("phone", "", ColumnType("text", "text", "S"), {"keep_prefix": 3}),
    "partial": ("iban", "", ColumnType("text", "text", "S"), {"keep_last": 4}),
    "date_shift": ("born", "", ColumnType("date", "date", "D"), {"max_days": 60}),
    "date_shift_ts": (
        "ts",
        "date_shift",
        ColumnType("timestamp with time zone", "timestamptz", "D"),
        {"max_days": 60},
    ),
    "noise": (
        "amount",
        "",
        ColumnType("numeric(10,2)", "numeric", "N", precision=10, scale=2),
        {"relative": 0.1},
    ),
    "noise_int": ("qty", "noise", ColumnType("integer", "int4", "N"), {"relative": 0.1}),
    "generalize": (
        "amount",
        "",
        ColumnType("numeric(10,2)", "numeric", "N", precision=10, scale=2),
        {"bucket": 10},
    ),
    "generalize_date": (
        "born",
        "generalize",
        ColumnType("date", "date", "D"),
        {"truncate": "month"},
    ),
    "uuid": ("email", "", ColumnType("uuid", "uuid", "U"), {}),
    "ip": ("ip", "", ColumnType("inet", "inet", "I"), {}),
    "ip_unique": ("ip", "ip", ColumnType("inet", "inet", "I"), {"unique": True}),
    "ip_text": ("ip_text", "ip", ColumnType("text", "text", "S"), {}),
    "phone_e164": ("e164", "phone", ColumnType("text", "text", "S"), {"e164": True}),
    "phone_bare": ("e164", "phone", ColumnType("text", "text", "S"), {}),
    "lorem": ("name", "", ColumnType("text", "text", "S"), {}),
    "choice": ("name", "", ColumnType("text", "text", "S"), {"values": ["a", "b", "c"]}),
    "jsonb": ("doc", "", ColumnType("jsonb", "jsonb", "U"), {"paths": {"name": "first_name"}}),
    "template": (
        "email",
        "",
        ColumnType("text", "text", "S"),
        {"template": "{first_name}.{last_name}@example.com"},
    ),
    "sql": ("name", "", ColumnType("text", "text", "S"), {"expression": "upper(name)"}),
}


def main() -> None:
    dsn = sys.argv[1]
    wanted = sys.argv[2:] or list(CASES)
    with psycopg.connect(dsn, autocommit=True) as conn:
        sqlsupport.install(conn)
        if not conn.execute("SELECT to_regclass('perf')").fetchone()[0]:  # type: ignore[index]
            conn.execute(SETUP.encode())
        conn.execute(*keyed.key_setting_sql(keyed.derive_key("perf")))
        conn.execute("SET max_parallel_workers_per_gather = 0")
        conn.execute("SET jit = on" if os.environ.get("PERF_JIT") == "on" else "SET jit = off")
        base = {}
        for case in wanted:
            column, name, ctype, raw = CASES[case]
            strategy = get(name or case)
            ctx = ColumnContext(
                "public.perf",
                column,
                ctype,
                nullable=True,
                unique=False,
                row_columns={"name": ctype, "email": ctype},
            )
            expr = strategy.compile(strategy.parse_params(raw), ctx).sql(dialect="postgres")
            if column not in base:
                base[column] = _time(conn, f'SELECT count("{column}") FROM perf')
            seconds = _time(conn, f"SELECT count({expr}) FROM perf") - base[column]
            print(f"{case:16} {seconds:6.2f} s  ({seconds * 1e6 / ROWS:5.2f} us/row)")


def _time(conn: psycopg.Connection[Any], query: str, runs: int = 3) -> float:
    """Best of a few runs: other work on the machine only ever adds time."""
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    stat = Path(f"/proc/{row[0] if row else 0}/schedstat")
    clock = _cpu(stat) if stat.exists() else time.perf_counter
    best = float("inf")
    for _ in range(runs):
        start = clock()
        conn.execute(query.encode())
        best = min(best, clock() - start)
    return best


def _cpu(stat: Path) -> Any:
    """Seconds of CPU the backend has used so far (first field of schedstat, in ns)."""
    return lambda: int(stat.read_text().split()[0]) / 1e9


if __name__ == "__main__":
    main()
