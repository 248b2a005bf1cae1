"""A deferred constraint failing at COMMIT under --trace (Django's foreign keys are
DEFERRABLE INITIALLY DEFERRED): it escaped as a bare database error, exit 3, without
file:line or report, as if staging were unreachable. It is the migration failing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.cli import main
from dbrefresh.findings import Severity
from dbrefresh.gate.run import GateOptions, gate

SHOP = """
CREATE TABLE shop_product (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE shop_orderitem (id bigint PRIMARY KEY, product_id bigint NOT NULL
  REFERENCES shop_product (id) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO shop_product SELECT g, 'p' || g FROM generate_series(1, 50) g;
INSERT INTO shop_orderitem SELECT g, g % 50 + 1 FROM generate_series(1, 200) g;
ANALYZE;
"""
DELETE = 'DELETE FROM "shop_product" WHERE "id" = 1;\n'


def _db(make_db: Callable[..., str]) -> str:
    dsn = make_db(prefix="gatecommit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SHOP)
    return dsn


def test_a_deferred_foreign_key_failing_at_commit_is_trace_failed_at_the_commit(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    dsn = _db(make_db)
    path = write_sql(f"BEGIN;\nSET LOCAL lock_timeout = '2s';\n{DELETE}COMMIT;\n")

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    [failed] = [f for f in result.findings if f.finding.code == "trace-failed"]
    assert failed.finding.severity is Severity.ERROR and not result.passed
    assert failed.finding.location.line == 4 and failed.text == "COMMIT"
    assert "violates foreign key constraint" in failed.finding.message
    assert "checked at COMMIT" in failed.finding.message


def test_the_wrapping_transactions_commit_failing_is_the_last_statements(
    make_db: Callable[..., str], write_sql: Callable[..., Path]
) -> None:
    """Without its own BEGIN the script runs in the tool's transaction (--wrap script):
    the COMMIT the gate adds is where the deferred check fails."""
    dsn = _db(make_db)
    path = write_sql(f"SET lock_timeout = '2s';\n{DELETE}")

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    [failed] = [f for f in result.findings if f.finding.code == "trace-failed"]
    assert failed.finding.location.line == 2 and failed.text.startswith("DELETE")
    assert "at the COMMIT of the script's transaction" in failed.finding.message


def test_the_cli_exits_1_and_writes_the_junit_report(
    make_db: Callable[..., str],
    write_sql: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = _db(make_db)
    path = write_sql(f"BEGIN;\nSET LOCAL lock_timeout = '2s';\n{DELETE}COMMIT;\n")
    xml = tmp_path / "gate.xml"

    code = main(["gate", str(path), "--dsn", dsn, "--trace", "--format", "junit", "-o", str(xml)])

    assert code == 1, capsys.readouterr().err
    [failure] = ET.fromstring(xml.read_text()).iter("failure")
    assert "violates foreign key constraint" in (failure.get("message") or "")
