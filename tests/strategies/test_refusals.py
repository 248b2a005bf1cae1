"""check() refuses strategies that cannot produce the column's type, with a reason;
bad parameters raise pydantic's ValidationError naming the key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get
from tests.strategies.conftest import Masking

MISFITS: list[tuple[str, dict[str, Any], str, str]] = [
    ("email", {}, "i4", "email produces text"),
    ("null", {}, "i8", "NOT NULL"),
    ("hash", {}, "code", "needs 16 characters"),
    ("hash", {"length": 32}, "dom", "needs 32 characters"),
    ("date_shift", {}, "tx", "needs a date or timestamp"),
    ("noise", {"relative": 0.1}, "vc", "needs an integer, numeric or float"),
    ("generalize", {"bucket": 5}, "d", "needs a number"),
    ("generalize", {"truncate": "month"}, "num", "needs a date"),
    ("generalize", {"bucket": 0.1}, "i4", "finer than"),
    ("jsonb", {"paths": {"a": "email"}}, "i4", "masks json and jsonb documents, or JSON kept"),
    ("jsonb", {"paths": {"a": {"strategy": "date_shift"}}}, "doc", "a: date_shift needs a date"),
    ("uuid", {}, "i4", "uuid produces a uuid or text"),
    ("uuid", {}, "code", "needs 36 characters"),
    ("ip", {}, "num", "ip produces inet"),
    ("constant", {"value": "x" * 13}, "ch", "longer than character(12)"),
    ("constant", {"value": "angry"}, "m", "not a label of mood"),
    ("constant", {"value": "abc"}, "num", "not a number"),
    ("choice", {"values": ["sad", "angry"]}, "m", "not labels of mood: angry"),
    ("choice", {}, "vc", "at least two values"),
    ("first_name", {}, "d", "first_name produces text"),
    ("phone", {}, "i4", "rewrites digits in text"),
    ("partial", {"keep_last": 4}, "u", "masks characters of text"),
    ("lorem", {}, "doc", "lorem produces text"),
    ("template", {"template": "{first_name:nope}"}, "tx", "no such column"),
    ("template", {"template": "{hash}{uuid}"}, "code", "does not fit character varying(12)"),
    ("sql", {"expression": "upper(nope)"}, "vc", "columns not in public.people: nope"),
    ("email", {"unique": True}, "code", "email needs"),
    ("switch", {"by": "nope", "cases": {"a": "email"}}, "vc", "has no column 'nope'"),
    ("switch", {"by": "m", "cases": {"sad": "date_shift"}}, "vc", "cases.sad: date_shift"),
    ("switch", {"by": "m", "cases": {"sad": "keep"}, "default": "null"}, "i8", "default: "),
    ("forms", {"cases": {"number": "digits"}}, "i8", "forms tells values apart by their text"),
    ("forms", {"cases": {"email": {"strategy": "email", "unique": True}}}, "code", "cases.email"),
]


@pytest.mark.parametrize(("strategy", "params", "column", "reason"), MISFITS)
def test_check_refuses_misfits(
    masking: Masking, strategy: str, params: dict[str, Any], column: str, reason: str
) -> None:
    s = get(strategy)
    reasons = s.check(s.parse_params(params), masking.context(column))
    assert reasons, f"{strategy} should not fit {column}"
    assert any(reason in r for r in reasons), reasons


def test_email_on_unique_column_asks_for_unique(masking: Masking) -> None:
    s = get("email")
    reasons = s.check(s.parse_params({}), masking.context("email", unique=True))
    assert reasons == ["email is unique: set unique: true on the email strategy"]
    assert s.check(s.parse_params({"unique": True}), masking.context("email", unique=True)) == []


@pytest.mark.parametrize("strategy", ["digits", "phone"])
def test_digits_on_unique_column_ask_for_unique(masking: Masking, strategy: str) -> None:
    s = get(strategy)
    reasons = s.check(s.parse_params({}), masking.context("phone", unique=True))
    assert reasons == [f"phone is unique: set unique: true on the {strategy} strategy"]
    unique = s.parse_params({"unique": True})
    assert s.check(unique, masking.context("phone", unique=True)) == []
    assert s.is_lossy(s.parse_params({})) and not s.is_lossy(unique)


BAD_PARAMS: list[tuple[str, dict[str, Any], str]] = [
    ("partial", {"keep_last": 2, "mask_char": "ab"}, "mask_char"),
    ("partial", {"keep_last": -1}, "keep_last"),
    ("partial", {}, "keep"),
    ("date_shift", {"max_days": 0}, "max_days"),
    ("noise", {"relative": 2}, "relative"),
    ("noise", {"relative": 0.1, "absolute": 3}, "exactly one"),
    ("email", {"domain": "not a domain"}, "domain"),
    ("email", {"domian": "x.test"}, "domian"),
    ("hash", {"length": 100}, "length"),
    ("constant", {}, "value"),
    ("generalize", {"truncate": "decade"}, "truncate"),
    ("ip", {"network_v4": "10.0.0.1/8"}, "network_v4"),
    ("choice", {"values": ["one"]}, "values"),
    ("choice", {"values": ["a", "b", "a"]}, "distinct"),
    ("jsonb", {"paths": {"a": "nope"}}, "paths"),
    ("jsonb", {"paths": {"a..b": "email"}}, "bad path"),
    ("jsonb", {"paths": {"a": {"strategy": "partial", "keep_last": "x"}}}, "keep_last"),
    ("template", {"template": "{nope}"}, "nope"),
    ("template", {"template": "{first_name"}, "template"),
    ("template", {"template": "plain"}, "no {strategy} placeholder"),
    ("template", {"template": "{shuffle}"}, "cannot be used inside a template"),
    ("template", {"template": "{partial}"}, "{partial} needs parameters"),
    ("sql", {"expression": ""}, "expression"),
    ("keep", {"anything": 1}, "anything"),
    ("digits", {"keep_prefix": "three"}, "keep_prefix"),
    ("switch", {"by": "m", "cases": {"a": "shuffle"}}, "cannot be a case of switch"),
    ("switch", {"by": "m", "cases": {"a": {"strategy": "switch", "by": "m"}}}, "switch"),
    ("switch", {"by": "m", "cases": {"a": "nope"}}, "unknown strategy 'nope'"),
    ("switch", {"by": "m", "cases": {}}, "cases"),
    ("switch", {"by": "m", "cases": {"a": {"strategy": "hash", "length": 100}}}, "length"),
    ("switch", {"by": "", "cases": {"a": "email"}}, "by"),  # omitted: the column itself
    ("switch", {"by": "m", "cases": {"a": "fail"}}, "unknown strategy 'fail'"),  # default only
    ("forms", {"cases": {"email": "shuffle"}}, "cannot be a case of forms"),
    (
        "forms",
        {"cases": {"number": {"strategy": "switch", "by": "m", "cases": {"a": "hash"}}}},
        "forms",
    ),
    ("forms", {"cases": {"name": "hash"}}, "cases.name"),
    ("forms", {"cases": {}}, "cases"),
]


@pytest.mark.parametrize(("strategy", "params", "key"), BAD_PARAMS)
def test_bad_params_name_the_key(strategy: str, params: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as info:
        get(strategy).parse_params(params)
    assert key in str(info.value)


@pytest.mark.parametrize(
    ("strategy", "params", "sql", "reason"),
    [
        ("email", {}, '"Role"[]', 'email produces text; the elements of roles are "Role"'),
        (
            "hash",
            {},
            "character varying(8)[]",
            "hash needs 16 characters but the elements of roles are character varying(8)",
        ),
    ],
)
def test_an_arrays_refusal_names_its_elements(
    strategy: str, params: dict[str, Any], sql: str, reason: str
) -> None:
    """Documenso's User.roles "Role"[]: the refusal said `_dbr_elem is "Role"`, a name
    of dbrefresh's own SQL the user never wrote."""
    from dbrefresh.strategies.base import ColumnContext, ColumnType

    enum = sql.startswith('"Role"')
    col_type = ColumnType(
        sql,
        "Role" if enum else "varchar",
        "E" if enum else "S",
        length=None if enum else 8,
        enum_labels=("ADMIN", "USER") if enum else (),
        is_array=True,
        element_sql=sql.removesuffix("[]"),
    )
    ctx = ColumnContext(
        table="public.User", column="roles", type=col_type, nullable=True, unique=False
    )
    s = get(strategy)
    assert s.check(s.parse_params(params), ctx) == [reason]
