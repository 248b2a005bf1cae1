"""A user function refusing masked values (RAISE EXCEPTION in an index expression or a
CHECK) fails every run alike: exit 2 naming the table and what refused, not exit 3
("re-run to finish") every night."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import mark_clone
from dbrefresh.anonymize.refusal import refused_by_table
from tests.anonymize.helpers import db_with_rules, fingerprint, run_cli

FUNCTION = """
CREATE FUNCTION corp_only(e text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF e NOT LIKE '%@corp.test' THEN RAISE EXCEPTION 'not a corp address'; END IF;
    RETURN lower(e);
END $$;
CREATE TABLE staff (id int PRIMARY KEY, email text);
INSERT INTO staff SELECT g, format('zqs%s@corp.test', g) FROM generate_series(1, 100) g;
"""

RULES = """version: 1
tables:
  public.staff:
    columns: {id: keep, email: email}
"""


@pytest.mark.parametrize(
    ("refusing", "named"),
    [
        ("CREATE INDEX staff_corp ON staff (corp_only(email))", "staff_corp"),
        ("ALTER TABLE staff ADD CONSTRAINT corp CHECK (corp_only(email) IS NOT NULL)", "corp"),
    ],
    ids=["index-expression", "check"],
)
def test_a_user_function_raising_on_masked_values_exits_2(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], refusing: str, named: str
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, FUNCTION + refusing, RULES, "staff.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    for _ in range(2):  # the same every run
        result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
        assert result.code == 2, result.err
        assert "public.staff" in result.err and "not a corp address" in result.err
        assert named in result.err and "corp_only" in result.err
        assert "re-run to finish" not in result.err and "Traceback" not in result.err
    assert fingerprint(dsn) == before


@pytest.mark.parametrize(
    ("error", "deterministic"),
    [
        (psycopg.errors.RaiseException, True),  # P0001
        (psycopg.errors.AssertFailure, True),  # P0004
        (psycopg.errors.CheckViolation, True),
        (psycopg.errors.UniqueViolation, True),
        (psycopg.errors.NotNullViolation, True),
        (psycopg.errors.ForeignKeyViolation, True),
        (psycopg.errors.InvalidTextRepresentation, True),
        (psycopg.errors.CardinalityViolation, True),
        (psycopg.errors.AdminShutdown, False),  # 57P01
        (psycopg.errors.QueryCanceled, False),
        (psycopg.errors.SerializationFailure, False),
        (psycopg.errors.DeadlockDetected, False),
        (psycopg.errors.LockNotAvailable, False),  # lock_timeout
        (psycopg.errors.DiskFull, False),
        (psycopg.errors.ConnectionFailure, False),
        (psycopg.errors.InsufficientPrivilege, False),
    ],
)
def test_failures_are_classed_by_sqlstate(error: type[psycopg.Error], deterministic: bool) -> None:
    assert refused_by_table(error("x")) is deterministic
