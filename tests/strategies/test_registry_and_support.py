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
    """No dbrefresh.* call survives planning, and each value is hashed at most once."""
    expr = masking.expression(strategy, params, masking.context(column))
    masking.use_key(KEY_A)
    plan = "\n".join(
        r[0] for r in masking.conn.execute(
            f"EXPLAIN VERBOSE SELECT {expr} FROM people"
        )
    )  # fmt: skip
    assert not re.search(r"dbrefresh\.\w+\(", plan), plan[:2000]
    parts = 2 if strategy in {"template", "jsonb"} else 1
    assert plan.count("sha256(") <= parts
