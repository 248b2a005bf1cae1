"""Injective strategies give no duplicates over 100k distinct inputs, and one input
gives one output in every table, so joins on masked natural keys still match."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dbrefresh.strategies.registry import get
from tests.strategies.conftest import KEY_A, Masking

DISTINCT = 100_000


@pytest.fixture(scope="module")
def big_table(session_conn: psycopg.Connection[Any]) -> Iterator[str]:
    session_conn.execute(
        "CREATE TABLE big AS SELECT g AS id, ('user' || g || '@mail.test')::varchar(80) AS email,"
        " ('Name ' || g)::text AS name, md5(g::text)::uuid AS u,"
        f" ('K' || g)::varchar(40) AS code FROM generate_series(1, {DISTINCT}) g"
    )
    yield "big"
    session_conn.execute("DROP TABLE big")


INJECTIVE = [
    ("hash", {}, "code"),
    ("hash", {"length": 16}, "name"),
    ("email", {"unique": True}, "email"),
    ("uuid", {}, "u"),
    ("uuid", {}, "name"),
    ("template", {"template": "{first_name:name}.{hash}@example.com"}, "email"),
]


@pytest.mark.parametrize(("strategy", "params", "column"), INJECTIVE)
def test_no_duplicates_over_100k(
    masking: Masking, big_table: str, strategy: str, params: dict[str, Any], column: str
) -> None:
    s = get(strategy)
    parsed = s.parse_params(params)
    assert not s.is_lossy(parsed)
    ctx = masking.context(column, table=big_table, unique=True)
    assert s.check(parsed, ctx) == []
    expr = s.compile(parsed, ctx).sql(dialect="postgres")
    masking.use_key(KEY_A)
    row = masking.conn.execute(
        sql.SQL("SELECT count(DISTINCT {e}), count(*) FROM {t}").format(
            e=sql.SQL(expr), t=sql.Identifier(big_table)
        )
    ).fetchone()
    assert row == (DISTINCT, DISTINCT)


LOSSY = ["first_name", "last_name", "full_name", "city", "street", "postcode", "company",
         "lorem", "phone", "digits", "email", "choice", "ip", "null", "constant", "partial",
         "date_shift", "noise", "generalize"]  # fmt: skip


@pytest.mark.parametrize("name", LOSSY)
def test_lossy_strategies_say_so(name: str) -> None:
    s = get(name)
    raw: dict[str, dict[str, Any]] = {
        "choice": {"values": ["a", "b"]},
        "constant": {"value": "x"},
        "partial": {"keep_last": 1},
        "noise": {"relative": 0.1},
        "generalize": {"bucket": 10},
    }
    assert s.is_lossy(s.parse_params(raw.get(name, {})))


JOINED = [
    ("first_name", {}),
    ("email", {"unique": True}),
    ("hash", {}),
    ("phone", {}),
    ("date_shift", {"max_days": 10}),
]


@pytest.mark.parametrize(("strategy", "params"), JOINED)
def test_same_input_same_output_in_every_table(
    masking: Masking, strategy: str, params: dict[str, Any]
) -> None:
    """`people.vc` and `copies.other_name` hold the same values in another order."""
    column = {"date_shift": "d", "phone": "phone", "email": "email"}.get(strategy, "vc")
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS copies")
    conn.execute(
        sql.SQL("CREATE TABLE copies AS SELECT 1000 - id AS id, {c} AS other FROM people").format(
            c=sql.Identifier(column)
        )
    )
    here = dict(masking.run(strategy, params, column))
    there = dict(masking.run(strategy, params, "other", table="copies"))
    assert here == there
    conn.execute("DROP TABLE copies")


def test_timestamps_hash_alike_in_every_time_zone(masking: Masking) -> None:
    masking.conn.execute("SET TimeZone = 'America/New_York'")
    try:
        new_york = masking.run("date_shift", {"max_days": 5}, "ts")
    finally:
        masking.conn.execute("SET TimeZone = 'UTC'")
    assert masking.run("date_shift", {"max_days": 5}, "ts") == new_york


WEIRD = 'na"me; DROP TABLE people; --'


def test_crafted_column_names_are_quoted(masking: Masking) -> None:
    """A column whose name is an injection attempt is only ever a quoted identifier."""
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS weird")
    conn.execute(
        sql.SQL("CREATE TABLE weird AS SELECT id, vc AS {w}, vc AS h FROM people").format(
            w=sql.Identifier(WEIRD)
        )
    )
    plain = dict(masking.run("first_name", {}, "vc"))
    assert dict(masking.run("first_name", {}, WEIRD, table="weird")) == plain
    assert dict(masking.run("first_name", {}, "h", table="weird")) == plain
    rows = masking.run("template", {"template": "{hash:" + WEIRD + "}-{first_name}"}, "h",
                       table="weird")  # fmt: skip
    assert all(m is None or m.count("-") >= 1 for _, m in rows)
    assert conn.execute("SELECT count(*) FROM people").fetchone() == (300,)
    conn.execute("DROP TABLE weird")
