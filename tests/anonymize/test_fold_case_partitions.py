"""fold_case's refusal on a partitioned table: checked once per rule table.

The check (any two values equal in lower case, differing as bytes) reads the rule
table, every partition; it was attached to each partition's statement, so a table of
60 partitions was read 60 times in full (8 minutes on 5M rows, in `rules check` and
again in anonymize's preflight). It now runs once, and still refuses case variants.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbrefresh.anonymize.api import mark_clone
from dbrefresh.anonymize.preflight import preflight
from dbrefresh.catalog import read_catalog
from dbrefresh.errors import MaskingRefused
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules
from dbrefresh.strategies.sqlsupport import install
from tests.anonymize.helpers import db_with_rules, run_cli

PARTS = 4
SCHEMA = f"""
CREATE TABLE events (id int, month int NOT NULL, email text NOT NULL,
  UNIQUE (email, month)) PARTITION BY LIST (month);
{"".join(f"CREATE TABLE events_{m} PARTITION OF events FOR VALUES IN ({m});" for m in range(PARTS))}
INSERT INTO events SELECT g, g % {PARTS}, 'user' || g || '@mail.example'
  FROM generate_series(1, 400) g;
"""
RULES = """version: 1
tables:
  public.events:
    columns:
      id: keep
      month: keep
      email: {strategy: email, unique: true, fold_case: true}
"""


def _scans(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname LIKE 'events_%'"
        ).fetchall()
    return dict(rows)


def test_fold_case_reads_a_partitioned_table_once(make_db: Any, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    with psycopg.connect(dsn) as conn:
        install(conn)  # dbrefresh.refuse(), as anonymize installs it before its preflight
        plan = compile_plan(load_rules([rules]), read_catalog(conn))
    assert len(plan.steps) == PARTS
    before = _scans(dsn)
    preflight(dsn, "k" * 64, plan, plan.steps)  # no case variants: passes
    deadline = time.monotonic() + 10
    while (after := _scans(dsn)) == before and time.monotonic() < deadline:
        time.sleep(0.2)  # the preflight's backend reports its counters as it exits
    assert {t: after[t] - before[t] for t in after} == {f"events_{m}": 1 for m in range(PARTS)}


def test_fold_case_refuses_case_variants_in_a_partition_once(
    make_db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("DBREFRESH_SEED", "s")
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO events VALUES (1000, 2, 'User6@Mail.example')")
    mark_clone(dsn)
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    said = check.out + check.err
    assert check.code == 2, said
    assert said.count("fold_case masks values differing only in case alike") == 1, said
    with psycopg.connect(dsn) as conn:
        install(conn)
        plan = compile_plan(load_rules([rules]), read_catalog(conn))
    with pytest.raises(MaskingRefused, match=r"1 relation.*email: fold_case masks values") as info:
        preflight(dsn, "k" * 64, plan, plan.steps)
    assert "User6" not in str(info.value)


def test_plan_prints_the_partitioned_tables_check_once(make_db: Any, tmp_path: Path) -> None:
    """`plan` prints what anonymize runs: the rule table's check once, under its first
    partition; the others point back to it (it used to be printed under each)."""
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    with psycopg.connect(dsn) as conn:
        plan = compile_plan(load_rules([rules]), read_catalog(conn))
    script = plan.to_sql()
    assert script.count("fold_case masks values differing only in case alike") == 1, script
    assert script.count("-- (the check of all of public.events above: run once)") == PARTS - 1
