"""Benchmark: static analysis (parse, classify, analyze, judge) of 10,000 statements.

Target: >= 5,000 statements per second. Run: .venv/bin/python bench/gate.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.split import load
from dbrefresh.gate.verdict import judge

TEMPLATES = [
    "SET LOCAL lock_timeout = '2s'",
    "ALTER TABLE t{i} ALTER COLUMN price TYPE bigint",
    "ALTER TABLE t{i} ADD COLUMN c{i} timestamptz DEFAULT now()",
    "ALTER TABLE t{i} ADD CONSTRAINT chk{i} CHECK (price > 0) NOT VALID",
    "ALTER TABLE t{i} VALIDATE CONSTRAINT chk{i}",
    "CREATE INDEX CONCURRENTLY idx{i} ON t{i} (price, created_at)",
    "CREATE INDEX idx_b{i} ON t{i} USING btree (lower(name)) WHERE deleted_at IS NULL",
    "UPDATE t{i} SET price = price * 2 WHERE id BETWEEN {i} AND {i} + 1000",
    "ALTER TABLE t{i} ADD CONSTRAINT fk{i} FOREIGN KEY (parent_id) REFERENCES p{i} (id)",
    "CREATE OR REPLACE FUNCTION f{i}() RETURNS trigger AS $$ BEGIN NEW.x := 1; "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
]


def generate(n: int) -> str:
    lines = []
    for i in range(n):
        lines.append(TEMPLATES[i % len(TEMPLATES)].format(i=i // len(TEMPLATES)) + ";")
    return "\n".join(lines) + "\n"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "V1__bench.sql"
        path.write_text(generate(n), encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            scripts = load([path])
            result = judge(analyze(scripts))
            best = min(best, time.perf_counter() - started)
        count = len(result.statements)
    assert count == n, count
    print(
        f"gate static analysis: {count} statements in {best:.3f}s = {count / best:,.0f} "
        "statements/s (best of 3; target >= 5,000/s)"
    )


if __name__ == "__main__":
    main()
