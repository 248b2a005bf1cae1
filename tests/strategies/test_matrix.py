"""Every strategy on the column types it supports, on a real PostgreSQL: the output has
the column's type, NULL stays NULL, values change, and the key decides the values.
"""

from __future__ import annotations

from typing import Any

import pytest

from dbrefresh.strategies.registry import all_strategies
from dbrefresh.strategies.scalar import ScalarStrategy
from tests.strategies.conftest import KEY_B, Masking

# (strategy, params, column, replaces every value, depends on the key)
CASES: list[tuple[str, dict[str, Any], str, bool, bool]] = [
    ("keep", {}, "vc", False, False),
    ("null", {}, "vc", True, False),
    ("constant", {"value": "x"}, "vc", False, False),
    ("constant", {"value": "ok"}, "m", False, False),
    ("constant", {"value": 12.5}, "num", False, False),
    ("hash", {}, "vc", True, True),
    ("hash", {"prefix": "u_", "length": 10}, "code", True, True),
    ("hash", {}, "tx", True, True),
    ("private_key", {}, "tx", True, False),  # no PEM: each value's MD5 digest
    ("hash", {}, "dom", True, True),
    ("email", {}, "email", True, True),
    ("email", {"unique": True, "domain": "staging.test"}, "email", True, True),
    ("email", {}, "tx", True, True),
    ("first_name", {}, "vc", True, True),
    ("first_name", {}, "ch", True, True),
    ("last_name", {}, "dom", True, True),
    ("full_name", {}, "vc", True, True),
    ("full_name", {}, "tags", True, True),
    ("street", {}, "tx", True, True),
    ("city", {}, "vc", True, True),
    ("postcode", {}, "ch", True, True),
    ("company", {}, "vc", True, True),
    ("phone", {}, "phone", True, True),
    ("phone", {"keep_prefix": 3}, "phone", True, True),
    ("digits", {}, "code", True, True),
    ("digits", {}, "vc", True, True),
    ("partial", {"keep_last": 2}, "vc", True, False),
    ("partial", {"keep_first": 1, "mask_char": "#"}, "ch", True, False),
    ("date_shift", {"max_days": 30}, "d", True, True),
    ("date_shift", {"max_days": 1}, "ts", True, True),
    ("noise", {"relative": 0.1}, "num", True, True),
    ("noise", {"absolute": 1000}, "i4", True, True),
    ("noise", {"relative": 0.5}, "i8", True, True),
    ("generalize", {"bucket": 10}, "num", False, False),
    ("generalize", {"bucket": 1000}, "i4", False, False),
    ("generalize", {"truncate": "month"}, "d", False, False),
    ("generalize", {"truncate": "year"}, "ts", False, False),
    ("coordinates", {}, "vc", False, False),
    ("mac", {}, "vc", True, True),
    ("uuid", {}, "u", True, True),
    ("uuid", {}, "tx", True, True),
    ("ip", {}, "ip", True, True),
    ("ip", {}, "net", True, True),
    ("lorem", {}, "tx", True, True),
    ("lorem", {}, "ch", True, True),
    ("choice", {}, "m", True, True),
    ("choice", {"values": ["red", "green", "blue"]}, "vc", True, True),
    (
        "jsonb",
        {"paths": {"customer.email": "email", "customer.name": "full_name"}},
        "doc",
        True,
        True,
    ),
    ("template", {"template": "{first_name:vc|lower}.{hash}@example.com"}, "email", True, True),
    ("sql", {"expression": "upper(vc) || '-' || id"}, "vc", True, False),
    (
        "switch",
        {"by": "m", "cases": {"sad": "first_name", "ok": "last_name"}, "default": "full_name"},
        "vc",
        True,
        True,
    ),
    (
        "forms",
        {"cases": {"email": "email", "number": "digits"}, "default": "hash"},
        "vc",
        True,
        True,
    ),
    (
        "prefixed",
        {"cases": {"id:": "hash", "email:": "email"}, "default": "hash"},
        "vc",
        True,
        True,
    ),
]


def _ids() -> list[str]:
    return [f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("strategy", "params", "column", "replaces", "keyed"), CASES, ids=_ids())
def test_strategy_on_column(
    masking: Masking,
    strategy: str,
    params: dict[str, Any],
    column: str,
    replaces: bool,
    keyed: bool,
) -> None:
    rows = masking.run(strategy, params, column)
    assert len(rows) > 100
    for orig, masked in rows:
        if orig is None:
            assert masked is None, "NULL must stay NULL"
        elif strategy != "null":
            assert masked is not None, f"{orig!r} became NULL"
    nonnull = [(o, m) for o, m in rows if o is not None and _masked_part_exists(strategy, o)]
    if replaces:
        same = [(o, m) for o, m in _scalars(nonnull) if o == m]
        assert not same, f"values kept: {same[:5]}"
    assert masking.run(strategy, params, column) == rows, "same key must give same output"
    other = masking.run(strategy, params, column, key=KEY_B)
    changed = sum(1 for (o, a), (_, b) in zip(rows, other, strict=True) if a != b)
    if keyed and len({repr(o) for o, _ in nonnull}) < 10:
        # A handful of distinct values (an enum's labels) are a handful of coin flips:
        # only "some value changed" holds whatever the digest's bits happen to be.
        assert changed > 0, "another key must give other values"
    elif keyed:
        assert changed > len(nonnull) // 2, "another key must give other values"
    else:
        assert changed == 0


def _scalars(rows: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Pairs of values, arrays taken element by element (NULL elements stay NULL)."""
    out: list[tuple[Any, Any]] = []
    for orig, masked in rows:
        if isinstance(orig, list):
            assert len(orig) == len(masked)
            assert [e is None for e in orig] == [e is None for e in masked]
            out += [(o, m) for o, m in zip(orig, masked, strict=True) if o is not None]
        else:
            out.append((orig, masked))
    return out


# Blank text stays blank under every strategy defined value by value (ScalarStrategy)
KEEPS_BLANK = {s.name for s in all_strategies() if isinstance(s, ScalarStrategy)}


def _masked_part_exists(strategy: str, orig: Any) -> bool:
    """jsonb documents without the listed paths stay as they are; so does blank text
    where the strategy keeps it (an email column's '' names no one)."""
    if isinstance(orig, str) and not orig.strip() and strategy in KEEPS_BLANK:
        return False
    if strategy != "jsonb":
        return True
    customer = orig.get("customer") if isinstance(orig, dict) else None
    return isinstance(customer, dict) and customer.get("email") is not None


@pytest.mark.parametrize(("strategy", "params", "column", "replaces", "keyed"), CASES, ids=_ids())
def test_output_has_the_column_type(
    masking: Masking,
    strategy: str,
    params: dict[str, Any],
    column: str,
    replaces: bool,
    keyed: bool,
) -> None:
    ctx = masking.context(column)
    assert masking.result_type(strategy, params, column) == ctx.type.sql
