"""ALTER COLUMN TYPE: the gate's rewrite prediction against what PostgreSQL really does
(a new relfilenode means the table was rewritten)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from pglast import parse_sql

from dbrefresh.gate.schema import type_label
from dbrefresh.gate.typechange import parse_type, rewrites

CASES = [
    ("numeric(10,2)", "numeric(12,2)"),
    ("numeric(10,2)", "decimal(14,2)"),
    ("numeric(10,2)", "numeric"),
    ("numeric(10,2)", "numeric(12,3)"),
    ("numeric(10,2)", "numeric(8,2)"),
    ("numeric", "numeric(10,2)"),
    ("varchar(10)", "varchar(20)"),
    ("varchar(10)", "varchar(5)"),
    ("varchar(10)", "text"),
    ("varchar", "varchar(10)"),
    ("text", "varchar"),
    ("text", "varchar(10)"),
    ("char(5)", "char(10)"),
    ("char(5)", "text"),
    ("text", "char(5)"),
    ("timestamp(3)", "timestamp(6)"),
    ("timestamp(3)", "timestamp"),
    ("timestamp", "timestamp(3)"),
    ("timestamptz(0)", "timestamp(3) with time zone"),
    ("timestamp", "timestamptz"),  # no rewrite only when the session's TimeZone is UTC
    ("time(2)", "time(4)"),
    ("timetz(2)", "time(4) with time zone"),
    ("interval", "interval(3)"),
    ("int", "int"),
    ("int", "bigint"),
    ("smallint", "int"),
    ("float4", "float8"),
    ("cidr", "inet"),
    ("inet", "cidr"),
    ("bit(8)", "varbit"),
    ("bit(8)", "varbit(16)"),
    ("varbit(8)", "varbit(16)"),
    ("varbit(8)", "varbit(4)"),
    ("xml", "text"),
    ("xml", "varchar(10)"),
    ("uuid", "text"),
    ("date", "timestamp"),
]


@pytest.mark.parametrize(("source", "target"), CASES)
def test_prediction_matches_postgresql(
    make_db: Callable[..., str], source: str, target: str
) -> None:
    statement = f"ALTER TABLE t ALTER COLUMN c TYPE {target}"
    with psycopg.connect(make_db(prefix="tchg"), autocommit=True) as conn:
        conn.execute("SET TimeZone = 'Europe/Berlin'")
        conn.execute(f"CREATE TABLE t (c {source})")
        row = conn.execute(
            "SELECT format_type(atttypid, atttypmod), pg_relation_filenode('t')"
            " FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'c'"
        ).fetchone()
        assert row is not None
        catalog_type, before = row
        conn.execute(statement)
        after = conn.execute("SELECT pg_relation_filenode('t')").fetchone()
    target_label = type_label(parse_sql(statement)[0].stmt.cmds[0].def_.typeName)
    # the staging catalog's spelling (weigh.py), the migration's as the parser gives it
    source_label = catalog_type.replace("character varying", "varchar")
    assert rewrites(source_label, target_label) is (after != (before,))


def test_unknown_types_are_assumed_to_rewrite() -> None:
    assert parse_type("integer[]") is None
    assert rewrites("integer[]", "int8") and rewrites(None, "text")
    assert rewrites("mood", "text")  # an enum: nothing known about it
