"""A row's dates under a CHECK between them: date_shift by the row's key keeps them in
order; each shifted by its own value, the sample is refused with the cure named."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.errors import MaskingRefused
from tests.anonymize.helpers import db_with_rules, fingerprint, mask_and_verify

SCHEMA = """
CREATE TABLE stays (id int PRIMARY KEY, check_in date NOT NULL, check_out date NOT NULL,
                    CHECK (check_out >= check_in));
INSERT INTO stays SELECT i, date '2024-01-01' + i % 300, date '2024-01-01' + i % 300 + i % 6
  FROM generate_series(1, 400) i;
CREATE TABLE originals AS SELECT * FROM stays;
"""
RULES = """version: 1
tables:
  public.stays:
    columns:
      id: keep
      check_in: {strategy: date_shift, max_days: 60%(by)s}
      check_out: {strategy: date_shift, max_days: 60%(by)s}
  public.originals: keep
"""


def test_dates_shifted_by_the_rows_key_stay_in_order(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES % {"by": ", by: id"}, "by.yaml")
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        same, longer = conn.execute(
            "SELECT count(*) FILTER (WHERE s.check_in = o.check_in),"
            " count(*) FILTER (WHERE s.check_out - s.check_in <> o.check_out - o.check_in)"
            " FROM stays s JOIN originals o USING (id)"
        ).fetchone()
    assert (same, longer) == (0, 0)


def test_dates_shifted_each_by_its_own_value_are_refused_naming_by(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES % {"by": ""}, "own.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(MaskingRefused, match="stays_check") as refused:
        anonymize(dsn, [rules], seed="s", progress=False)
    assert "unless `by: <column>`" in str(refused.value)
    assert fingerprint(dsn) == before
