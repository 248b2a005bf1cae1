"""Benchmark: refresh a generated production database (default 2 GB) end to end.

Prints the time of each step, then compares the whole run with what it cannot avoid,
measured in the same invocation: pg_basebackup alone (a copy of production, timed on
its own) plus masking alone (the anonymization library's own time inside the run).
Overhead target: <= 15 %.

    .venv/bin/python bench/refresh.py [--size-gb 2] [--dir /var/tmp/dbrefresh-bench]

The production shop is built once and reused by later invocations (same --dir).
Never run as a test.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dbrefresh import config as config_mod
from dbrefresh.backends.localpg import remove_tree
from dbrefresh.db import connection
from dbrefresh.demo import orchestrate
from dbrefresh.demo.servers import tools
from dbrefresh.workflow import runner

# the demo shop takes about 1.23 kB per customer across its tables and indexes
BYTES_PER_CUSTOMER = 1230


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=2.0)
    parser.add_argument("--dir", type=Path, default=Path("/var/tmp/dbrefresh-bench"))
    parser.add_argument("--strict", action="store_true", help="strict mode (fresh copy)")
    args = parser.parse_args()
    console = Console()
    customers = int(args.size_gb * 1024**3 / BYTES_PER_CUSTOMER)
    started = time.monotonic()
    path = orchestrate.prepare(args.dir, customers, console)
    console.print(f"setup: {time.monotonic() - started:.1f}s")
    cfg = config_mod.load(path)
    if args.strict:
        cfg.temp_server.strict = True
    ports = json.loads((args.dir / "demo.json").read_text())
    prod_dsn = cfg.source.dsn
    with connection(prod_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size('shop')").fetchone()
    size = int(row[0]) if row else 0
    console.print(f"production shop: {size / 1024**3:.2f} GB (port {ports['production']})")

    # pg_basebackup alone, twice: the faster copy is the baseline (the first one can pay
    # for writeback left by the last run; the slower baseline would flatter the result)
    scratch = args.dir / "basebackup-alone"
    copies = []
    for _ in range(2):
        remove_tree(scratch)
        began = time.monotonic()
        tools().basebackup(prod_dsn, scratch)
        copies.append(time.monotonic() - began)
    remove_tree(scratch)
    basebackup_alone = min(copies)
    console.print("pg_basebackup alone: " + ", ".join(f"{c:.1f}s" for c in copies))

    began = time.monotonic()
    result = runner.run(cfg)
    total = time.monotonic() - began
    if result.error is not None:
        console.print(f"[red]run failed:[/] {result.error}")
        return 1
    masking_alone = sum(
        float(db["seconds"]) for db in result.record.steps["anonymize"].data["databases"].values()
    )

    table = Table(title=f"refresh of {size / 1024**3:.2f} GB, run {result.run_id}")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for name, seconds in result.step_seconds.items():
        table.add_row(name, f"{seconds:.1f}")
    table.add_row("[bold]whole run[/]", f"{total:.1f}")
    console.print(table)
    baseline = basebackup_alone + masking_alone
    overhead = (total / baseline - 1) * 100 if baseline else float("nan")
    console.print(
        f"pg_basebackup alone {basebackup_alone:.1f}s + masking alone {masking_alone:.1f}s "
        f"= {baseline:.1f}s; whole run {total:.1f}s; overhead {overhead:+.1f}% "
        f"(target <= 15%)"
    )
    verify = result.record.steps["verify"].data
    checks = float(verify.get("checks_seconds", 0))
    console.print(
        f"inside verify: the library's SQL checks {checks:.1f}s, byte search of the data "
        f"directory {float(verify.get('byte_search_seconds', 0)):.1f}s (concurrent, "
        f"{verify.get('byte_search_values')} values)"
    )
    rest = total - checks
    console.print(
        f"whole run without the library's verify checks: {rest:.1f}s, "
        f"overhead {(rest / baseline - 1) * 100:+.1f}%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
