"""The registry, the key derivation and the SQL support: names, errors, idempotence,
and that PostgreSQL inlines the support functions (one sha256 per masked value)."""

from __future__ import annotations

import re
import time
from typing import Any

import psycopg
import pytest

from dbrefresh import resources
from dbrefresh.errors import UsageError
from dbrefresh.strategies import keyed, sqlsupport
from dbrefresh.strategies.registry import UnknownStrategyError, all_strategies, get
from tests.strategies.conftest import KEY_A, Masking
from tests.strategies.test_matrix import CASES

EXPECTED = {
    "keep", "null", "constant", "hash", "email", "first_name", "last_name", "full_name",
    "phone", "digits", "partial", "date_shift", "noise", "generalize", "uuid", "ip", "street",
    "city", "postcode", "company", "lorem", "jsonb", "template", "shuffle", "sql", "choice",
    "switch", "file_name", "php_serialized", "url_query", "forms", "prefixed", "url_path", "vcard",
    "private_key", "coordinates", "mac", "xml", "vector", "composite", "derived",
}  # fmt: skip


def test_every_strategy_is_registered_and_described() -> None:
    strategies = all_strategies()
    assert {s.name for s in strategies} == EXPECTED
    for s in strategies:
        assert s.summary and s.params_model.model_config.get("extra") == "forbid"
        for name, field in s.params_model.model_fields.items():
            assert field.description, f"{s.name}.{name} has no description"


def test_unknown_strategy_suggests_and_lists() -> None:
    with pytest.raises(UnknownStrategyError) as info:
        get("emial")
    message = str(info.value)
    assert "did you mean email?" in message and "first_name" in message
    assert isinstance(info.value, UsageError)


def test_derive_key() -> None:
    key = keyed.derive_key("s3cret")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key == keyed.derive_key("s3cret") != keyed.derive_key("s3cret2")
    with pytest.raises(UsageError):
        keyed.derive_key("")


def test_key_travels_as_a_parameter(masking: Masking) -> None:
    query, params = keyed.key_setting_sql(KEY_A)
    assert KEY_A not in query and KEY_A in params
    masking.conn.execute(query, params)
    row = masking.conn.execute("SELECT current_setting('dbrefresh.key')").fetchone()
    assert row == (KEY_A,)


def test_install_is_idempotent_and_quick(make_db: Any) -> None:
    with psycopg.connect(make_db(), autocommit=True) as conn:
        start = time.perf_counter()
        sqlsupport.install(conn)
        sqlsupport.install(conn)
        assert time.perf_counter() - start < 2.0
        names = {r[0] for r in conn.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'dbrefresh'::regnamespace"
        )}  # fmt: skip
    assert {"digest", "u31", "pick", "dict_first_name", "dict_word"} <= names


def test_support_files_start_with_the_schema() -> None:
    text = resources.sql_file(sqlsupport.FUNCTIONS)
    first = next(line for line in text.splitlines() if line and not line.startswith("--"))
    assert first == "CREATE SCHEMA IF NOT EXISTS dbrefresh;"


def test_missing_key_fails_loudly(strategy_dsn: str, masking: Masking) -> None:
    expr = masking.expression("hash", {}, masking.context("vc"))
    with psycopg.connect(strategy_dsn) as fresh, pytest.raises(psycopg.errors.UndefinedObject):
        fresh.execute(f"SELECT {expr} FROM people")


@pytest.mark.parametrize(
    ("strategy", "params", "column"), [(c[0], c[1], c[2]) for c in CASES if c[0] != "sql"]
)
def test_support_functions_are_inlined(
    masking: Masking, strategy: str, params: dict[str, Any], column: str
) -> None:
    """No dbrefresh.* call survives planning, and each value is hashed at most once
    (an array's elements appear in two CASE branches, of which one runs: reshape_text
    restores the shape of the rare array with several dimensions or not starting at 1;
    other_network is called, not inlined, on purpose: on a cidr column it reads the
    drawn network three times, and a call computes its argument once)."""
    expr = masking.expression(strategy, params, masking.context(column))
    masking.use_key(KEY_A)
    plan = "\n".join(
        r[0] for r in masking.conn.execute(
            f"EXPLAIN VERBOSE SELECT {expr} FROM people"
        )
    )  # fmt: skip
    assert not re.search(r"dbrefresh\.(?!reshape_text\(|other_network\()\w+\(", plan), plan[:2000]
    # template: two masked parts; jsonb: two paths, each compiled for a scalar and for
    # an array's elements (one runs); digits/phone: one digest per CASE branch (short
    # values in bigint, long ones in numeric), of which one runs; phone: those twice (a
    # number led by '+' or '0' has its lead checked); switch: one per case; unique
    # email: its address, and a display-name form's whole value (one runs per row but
    # for a display name, which needs both to stay unique; an address list's items, in
    # a branch of their own).
    # date_shift: a value within max_days before today has its own branch (it never
    # moves past today).
    parts = {"template": 2, "digits": 2, "jsonb": 4, "phone": 4, "date_shift": 2}.get(strategy, 1)
    if strategy == "email" and params.get("unique"):
        parts = 2
    if strategy == "email":  # its address-list branch digests each address too
        parts *= 2
    if strategy == "jsonb" and "email" in params["paths"].values():
        parts += 2  # the email path's list branch, for a scalar and an array's elements
    if strategy == "switch":
        parts = len(params["cases"]) + 1
    if strategy in {"forms", "prefixed"}:  # each case's own (email's list branch), one runs
        parts = 2 * (len(params["cases"]) + 1)
    if masking.context(column).type.is_array:
        parts *= 2
    assert plan.count("sha256(") <= parts


# Strategies whose digest is read once (no binding subquery): their plans have no
# SubPlan, so PostgreSQL may run them in parallel workers and JIT compiles fewer
# expressions. email, full_name, uuid and noise bind the digest (several reads); phone
# binds the masked number of one led by '+' or '0' (its lead is checked).
SINGLE_READ = {"hash", "first_name", "last_name", "street", "city", "postcode", "company",
               "digits", "date_shift", "lorem", "choice", "ip"}  # fmt: skip


@pytest.mark.parametrize(
    ("strategy", "params", "column"), [(c[0], c[1], c[2]) for c in CASES if c[0] in SINGLE_READ]
)
def test_single_read_strategies_need_no_subplan(
    masking: Masking, strategy: str, params: dict[str, Any], column: str
) -> None:
    ctx = masking.context(column)
    if ctx.type.is_array:
        pytest.skip("arrays are masked element by element in a subquery")
    expr = masking.expression(strategy, params, ctx)
    masking.use_key(KEY_A)
    plan = "\n".join(
        r[0] for r in masking.conn.execute(f"EXPLAIN VERBOSE SELECT {expr} FROM people")
    )  # fmt: skip
    branches = 2 if strategy in {"digits", "date_shift"} else 1  # one digest per CASE branch
    assert "SubPlan" not in plan and plan.count("sha256(") == branches, plan[:2000]
    # The key's prefix is computed once per statement (an InitPlan), never per row.
    assert "InitPlan" in plan and KEY_A not in plan


def test_keyed_equals_digest(masking: Masking) -> None:
    """The per-statement prefix changes nothing: keyed() is digest(), byte for byte."""
    row = masking.conn.execute(
        "SELECT dbrefresh.keyed(dbrefresh.key_prefix('k', 'tag'), 'välue'),"
        " dbrefresh.digest('k', 'tag', 'välue')"
    ).fetchone()
    assert row is not None and row[0] == row[1]


def test_pick_x_never_returns_the_original(masking: Masking) -> None:
    """Every x that draws the original itself falls back to another entry."""
    rows = masking.conn.execute(
        "SELECT d[1 + x % cardinality(d)]::text, dbrefresh.pick_x(d, x, d[1 + x % cardinality(d)])"
        " FROM (SELECT dbrefresh.dict_city() AS d) s, generate_series(0, 3999) AS x"
    ).fetchall()
    assert len(rows) == 4000 and all(orig != picked and picked for orig, picked in rows)
    two = masking.conn.execute(
        "SELECT array_agg(DISTINCT dbrefresh.pick_x(ARRAY['a', 'b'], x, 'a'))"
        " FROM generate_series(0, 9) AS x"
    ).fetchone()
    assert two == (["b"],)


def test_fill_digits_lays_digits_into_any_text(masking: Masking) -> None:
    """Digit slots take k's last digits in order; every other character is literal, even
    to_char's own pattern letters, dots, quotes and backslashes."""
    text = '+1 (555) 010-20.30 FM9 x"\\é'
    row = masking.conn.execute(
        "SELECT dbrefresh.fill_digits(1234567, %s),"
        " dbrefresh.fill_digits(dbrefresh.digit_pool(42, repeat('9', 60)), repeat('9', 60))",
        (text,),
    ).fetchone()
    assert row is not None
    short, long = row
    assert short == '+0 (000) 012-34.56 FM7 x"\\é'
    assert len(long) == 60 and long.isdigit() and len(set(long)) > 5


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[2]}")
def test_column_local_strategies_compile_alike_for_every_column_name(
    masking: Masking, case: tuple[str, dict[str, Any], str, bool, bool]
) -> None:
    """The compiler compiles a column-local strategy once and renames the column: that
    must give exactly what compiling for the column itself gives, names needing quotes
    included; strategies reading the row by name are compiled per column."""
    from dataclasses import replace

    from dbrefresh.rules.compiled import CompiledSql

    name, params, column, _, _ = case
    strategy = get(name)
    parsed = strategy.parse_params(params)
    ctx = masking.context(column)
    cache = CompiledSql()
    for other in (column, 'Odd "Name"', "x\ny"):
        direct = strategy.compile(parsed, replace(ctx, column=other)).sql(dialect="postgres")
        assert cache.sql(strategy, parsed, ctx, other) == direct, other
    assert len(cache._cache) == (1 if strategy.column_local else 0)
