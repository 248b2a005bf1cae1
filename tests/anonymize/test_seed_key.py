"""The clone records a fingerprint of the masking key: verify and a re-run of anonymize
refuse another seed (exit 2), naming where the seed came from, never the seed."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import Aborted, db_with_rules, fingerprint, run_cli

# Two tables joined on a masked natural key, without a foreign key: two swap groups.
SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_email text NOT NULL);
INSERT INTO customers SELECT i, format('c%s@corp.example', i) FROM generate_series(1, 300) i;
INSERT INTO orders SELECT i, format('c%s@corp.example', i) FROM generate_series(1, 300) i;
"""

RULES = """version: 1
tables:
  public.customers:
    columns: {id: keep, email: email}
  public.orders:
    columns: {id: keep, customer_email: email}
"""


def _clone(make_db, tmp_path: Path) -> tuple[str, Path]:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "shop.yaml")
    mark_clone(dsn)
    return dsn, rules


def _joined(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM orders o JOIN customers c ON c.email = o.customer_email"
        ).fetchone()
    return int(row[0]) if row else 0


def _masked(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT relation FROM dbrefresh.masked_relations ORDER BY 1")
        return [str(r[0]) for r in rows]


def test_verify_refuses_another_seed_than_anonymize_used(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn, rules = _clone(make_db, tmp_path)
    anonymize(dsn, [rules], seed="right-seed", progress=False)

    wrong = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "wrong-seed")
    assert wrong.code == 2, wrong.out + wrong.err
    assert "another seed than the one given by --seed" in wrong.err
    assert "wrong-seed" not in wrong.out + wrong.err and "Traceback" not in wrong.err

    monkeypatch.setenv("DBREFRESH_SEED", "wrong-seed")
    from_env = run_cli(capsys, "verify", str(rules), "--dsn", dsn)
    assert from_env.code == 2, from_env.out + from_env.err
    assert "the environment variable DBREFRESH_SEED" in from_env.err
    assert "wrong-seed" not in from_env.out + from_env.err

    right = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "right-seed")
    assert right.code == 0, right.out + right.err
    with psycopg.connect(dsn) as conn:
        stored = conn.execute("SELECT fingerprint FROM dbrefresh.masking_key").fetchall()
    assert len(stored) == 1 and "right-seed" not in stored[0][0]


def test_a_rerun_under_another_seed_does_not_finish_an_interrupted_run(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], abort_on_alarm: None
) -> None:
    """Interrupted after customers was swapped (orders waits for a lock): a re-run with
    another seed used to mask orders under its own key, and no order joined its
    customer any more. It is refused and changes nothing; the right seed finishes."""
    dsn, rules = _clone(make_db, tmp_path)
    main = threading.main_thread().ident
    assert main is not None

    def abort_once_customers_are_masked() -> None:
        deadline = time.monotonic() + 30
        while "public.customers" not in _masked(dsn) and time.monotonic() < deadline:
            time.sleep(0.1)
        signal.pthread_kill(main, signal.SIGALRM)

    with psycopg.connect(dsn) as holder:
        holder.execute("LOCK TABLE orders IN ACCESS SHARE MODE")  # orders' swap waits
        watcher = threading.Thread(target=abort_once_customers_are_masked)
        watcher.start()
        with pytest.raises(Aborted):
            anonymize(dsn, [rules], seed="first", progress=False, workers=2)
        watcher.join()
    assert _masked(dsn) == ["public.customers"]

    before = fingerprint(dsn)
    other = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "second")
    assert other.code == 2, other.out + other.err
    assert "another seed than the one given by --seed" in other.err
    assert "second" not in other.err
    assert fingerprint(dsn) == before  # nothing masked under the other key

    anonymize(dsn, [rules], seed="first", progress=False)
    assert _masked(dsn) == ["public.customers", "public.orders"]
    assert _joined(dsn) == 300
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM orders WHERE customer_email LIKE 'c%@corp.example'"
        )
        assert left.fetchone() == (0,)


def test_a_run_refused_before_masking_anything_binds_no_seed(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first run refused by its preflight masked nothing: the next may use another seed,
    and verify then wants that one."""
    dsn, rules = _clone(make_db, tmp_path)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE orders ADD CONSTRAINT corp CHECK (customer_email LIKE 'c%')")
    refused = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "first")
    assert refused.code == 2 and "corp" in refused.err, refused.err
    assert _masked(dsn) == []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE orders DROP CONSTRAINT corp")

    anonymize(dsn, [rules], seed="second", progress=False)
    assert _joined(dsn) == 300
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "second").code == 0
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "first").code == 2
