"""A statement failing on a masked staging: masking may be the cause (real PostgreSQL,
masked by dbrefresh's own anonymize)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.gate.run import GateOptions, gate

# address1 unique in production; zipcode has real duplicates
SCHEMA = """
CREATE TABLE spree_addresses (id int PRIMARY KEY, address1 text NOT NULL, zipcode text);
INSERT INTO spree_addresses
  SELECT g, g || ' Main Street, apt ' || (g % 7), lpad((g % 50)::text, 5, '0')
  FROM generate_series(1, 3000) g;
ANALYZE;
"""
RULES = """version: 1
tables:
  public.spree_addresses:
    columns: {id: keep, address1: street, zipcode: keep}
"""


def _masked_staging(make_db: Callable[..., str], tmp_path: Path) -> str:
    dsn = make_db(prefix="gatemasked")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="gate", progress=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) - count(DISTINCT address1), "
            "(SELECT masked_columns FROM dbrefresh.masked_relations) FROM spree_addresses"
        ).fetchone()
    assert row is not None
    duplicates, recorded = row
    assert duplicates > 0  # `street` is many-to-one: masking made duplicates
    assert sorted(recorded) == ["address1"]  # masking records what it changed
    return dsn


def test_a_failure_on_masked_columns_is_not_claimed_for_production(
    make_db: Callable[..., str], tmp_path: Path, write_sql: Callable[..., Path]
) -> None:
    dsn = _masked_staging(make_db, tmp_path)
    path = write_sql("CREATE UNIQUE INDEX CONCURRENTLY idx_addr1 ON spree_addresses (address1);\n")

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    [failed] = [f.finding for f in result.findings if f.finding.code == "trace-failed"]
    assert failed.severity.value == "error"  # it did fail: the gate cannot vouch for it
    assert 'could not create unique index "idx_addr1"' in failed.message
    assert "would fail on production" not in failed.message
    assert "spree_addresses.address1" in failed.message
    assert "may come from the masked values" in failed.message


def test_a_failure_on_columns_masking_kept_still_speaks_for_production(
    make_db: Callable[..., str], tmp_path: Path, write_sql: Callable[..., Path]
) -> None:
    """zipcode was kept: its duplicates are production's own."""
    dsn = _masked_staging(make_db, tmp_path)
    path = write_sql("CREATE UNIQUE INDEX CONCURRENTLY idx_zip ON spree_addresses (zipcode);\n")

    result = gate([path], GateOptions(dsn=dsn, trace=True))

    [failed] = [f.finding for f in result.findings if f.finding.code == "trace-failed"]
    assert "the same statement would fail on production" in failed.message
    assert "masked" not in failed.message
