"""A realistic table: Chinook's customers masked in one UPDATE with the strategies a
rules file would pick, against the catalog's own types (varchar(n), NOT NULL, PK)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.strategies import sqlsupport
from tests.strategies.conftest import KEY_A, Masking

RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "first_name": ("first_name", {}),
    "last_name": ("last_name", {}),
    "company": ("company", {}),
    "address": ("street", {}),
    "city": ("city", {}),
    "postal_code": ("postcode", {}),
    "phone": ("phone", {"keep_prefix": 3}),
    "fax": ("digits", {}),
    "email": ("email", {"unique": True}),
}


def test_mask_chinook_customers(chinook_dsn: str) -> None:
    with psycopg.connect(chinook_dsn, autocommit=True) as conn:
        sqlsupport.install(conn)
        masking = Masking(conn, table="customer")
        before = {r[0]: r for r in conn.execute("SELECT * FROM customer ORDER BY customer_id")}
        sets = []
        for column, (strategy, params) in RULES.items():
            expr = masking.expression(
                strategy, params, masking.context(column, unique=column == "email")
            )
            sets.append(sql.SQL("{} = {}").format(sql.Identifier(column), sql.SQL(expr)))
        masking.use_key(KEY_A)
        conn.execute(sql.SQL("UPDATE customer SET {}").format(sql.SQL(", ").join(sets)))
        after = {r[0]: r for r in conn.execute("SELECT * FROM customer ORDER BY customer_id")}
        names = [d.name for d in conn.execute("SELECT * FROM customer LIMIT 0").description or []]
    assert before.keys() == after.keys()
    for key, old in before.items():
        new = dict(zip(names, after[key], strict=True))
        for column, value in zip(names, old, strict=True):
            if column in RULES and value is not None:
                assert new[column] != value, (column, value)
            elif column not in RULES:
                assert new[column] == value
    emails = [dict(zip(names, r, strict=True))["email"] for r in after.values()]
    assert len(set(emails)) == len(emails)
