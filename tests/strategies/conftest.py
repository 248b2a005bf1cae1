"""Fixtures for the strategy tests: one database per session holding a table of every
column type, the masking support installed, and helpers that run a strategy on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dbrefresh.db import with_database
from dbrefresh.strategies import keyed, sqlsupport
from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.registry import get

KEY_A = keyed.derive_key("seed A")
KEY_B = keyed.derive_key("seed B")
ROWS = 300

SCHEMA = (Path(__file__).parent / "people.sql").read_text(encoding="utf-8")

TYPE_QUERY = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       t.typtype, t.typbasetype, t.typtypmod
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
BASE_QUERY = """
SELECT t.typname, t.typcategory, t.typtype, t.typelem,
       format_type(t.typelem, %s),
       ARRAY(SELECT enumlabel::text FROM pg_enum WHERE enumtypid = COALESCE(NULLIF(t.typelem, 0),
             t.oid) ORDER BY enumsortorder)
FROM pg_type t WHERE t.oid = %s
"""


def column_types(conn: psycopg.Connection[Any], table: str) -> dict[str, tuple[ColumnType, bool]]:
    """ColumnType and NOT NULL of every column, read from the catalog like the compiler."""
    out: dict[str, tuple[ColumnType, bool]] = {}
    for name, type_sql, notnull, typtype, basetype, basemod in conn.execute(TYPE_QUERY, (table,)):
        oid_row = conn.execute(
            "SELECT atttypid, atttypmod FROM pg_attribute WHERE attrelid = %s::regclass"
            " AND attname = %s",
            (table, name),
        ).fetchone()
        assert oid_row
        typid, typmod = oid_row
        domain = None
        if typtype == "d":
            domain, typid, typmod = type_sql, basetype, basemod
        row = conn.execute(BASE_QUERY, (typmod, typid)).fetchone()
        assert row
        typname, category, _, elem, elem_sql, labels = row
        is_array = category == "A"
        if is_array:
            erow = conn.execute(BASE_QUERY, (typmod, elem)).fetchone()
            assert erow
            typname, category = erow[0], erow[1]
        length = typmod - 4 if typname in ("varchar", "bpchar") and typmod > 0 else None
        precision = ((typmod - 4) >> 16) & 0xFFFF if typname == "numeric" and typmod > 0 else None
        scale = (typmod - 4) & 0xFFFF if typname == "numeric" and typmod > 0 else None
        out[name] = (
            ColumnType(
                sql=type_sql,
                base=typname,
                category=category,
                length=length,
                precision=precision,
                scale=scale,
                enum_labels=tuple(labels),
                is_array=is_array,
                element_sql=elem_sql if is_array else None,
                domain=domain,
            ),
            bool(notnull),
        )
    return out


@dataclass
class Masking:
    """Runs strategies against the session's `people` table."""

    conn: psycopg.Connection[Any]
    table: str = "people"

    def context(
        self, column: str, *, unique: bool = False, table: str | None = None
    ) -> ColumnContext:
        types = column_types(self.conn, table or self.table)
        col_type, notnull = types[column]
        return ColumnContext(
            table=f"public.{table or self.table}",
            column=column,
            type=col_type,
            nullable=not notnull,
            unique=unique,
            row_columns={k: v[0] for k, v in types.items()},
        )

    def expression(self, strategy: str, params: dict[str, Any], ctx: ColumnContext) -> str:
        s = get(strategy)
        parsed = s.parse_params(params)
        assert s.check(parsed, ctx) == [], s.check(parsed, ctx)
        return s.compile(parsed, ctx).sql(dialect="postgres")

    def use_key(self, key: str) -> None:
        self.conn.execute(*keyed.key_setting_sql(key))

    def run(
        self,
        strategy: str,
        params: dict[str, Any],
        column: str,
        *,
        key: str = KEY_A,
        table: str | None = None,
    ) -> list[tuple[Any, Any]]:
        """(original, masked) per row, ordered by id."""
        ctx = self.context(column, table=table)
        expr = self.expression(strategy, params, ctx)
        self.use_key(key)
        query = sql.SQL("SELECT {col}, {expr} FROM {table} ORDER BY id").format(
            col=sql.Identifier(column),
            expr=sql.SQL(expr),
            table=sql.Identifier(table or self.table),
        )
        return [(a, b) for a, b in self.conn.execute(query)]

    def result_type(self, strategy: str, params: dict[str, Any], column: str) -> str:
        """format_type() of the masked value's column in a CREATE TABLE AS."""
        ctx = self.context(column)
        expr = self.expression(strategy, params, ctx)
        self.use_key(KEY_A)
        name = f"chk_{uuid.uuid4().hex[:8]}"
        self.conn.execute(
            sql.SQL("CREATE TEMP TABLE {} AS SELECT {} AS c FROM people").format(
                sql.Identifier(name), sql.SQL(expr)
            )
        )
        row = self.conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attname = 'c'",
            (name,),
        ).fetchone()
        assert row
        return str(row[0])


@pytest.fixture(scope="session")
def strategy_dsn(admin_dsn: str) -> Iterator[str]:
    """A database for the whole session with `people` filled and the support installed."""
    name = f"strategies_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = with_database(admin_dsn, name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            sqlsupport.install(conn)
            conn.execute(SCHEMA.replace(":rows", str(ROWS)).encode())
        yield dsn
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def session_conn(strategy_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(strategy_dsn, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        yield conn


@pytest.fixture
def masking(session_conn: psycopg.Connection[Any]) -> Masking:
    return Masking(session_conn)
