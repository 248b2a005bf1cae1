"""digits' options for codes an application parses: `letters` (a gift card's
'C4CA-4238-A0B9' keeps its length, separators and character classes, where `hash` gave
32 hex characters) and `luhn` (OpenMRS's '100-8' and card-like numbers keep a valid
check digit, where plain `digits` left nine in ten invalid)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.strategies.conftest import KEY_B, Masking

CODES = [
    "C4CA-4238-A0B9",
    "ABCD-EF12-3456",
    "SUMMER24",
    "summer-sale",
    "Gift 7x9Q k2",
    "a1",
    "ÉTÉ-2024-x",
    "n/a",
    "-/-",
    "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ-1",
]


def luhn_ok(value: str) -> bool:
    digits = [int(c) for c in value if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def with_check_digit(body: str) -> str:
    return next(body + str(c) for c in range(10) if luhn_ok(body + str(c)))


def classes(value: str) -> str:
    """The shape: every ASCII upper-case letter A, lower-case a, digit 0."""
    return re.sub("[0-9]", "0", re.sub("[a-z]", "a", re.sub("[A-Z]", "A", value)))


def _table(masking: Masking, name: str, values: list[str]) -> None:
    rows = ", ".join(f"({i}, %s)" for i in range(len(values)))
    masking.conn.execute(f"DROP TABLE IF EXISTS {name}")
    masking.conn.execute(f"CREATE TEMP TABLE {name} (id int, c text)")
    masking.conn.execute(f"INSERT INTO {name} VALUES {rows}", values)


@pytest.mark.parametrize("unique", [False, True])
def test_letters_keep_each_characters_class(masking: Masking, unique: bool) -> None:
    _table(masking, "codes", CODES * 3)
    params: dict[str, Any] = {"letters": True, "unique": unique}
    rows = masking.run("digits", params, "c", table="codes")
    for original, masked in rows:
        assert classes(masked) == classes(original), (original, masked)
        if original != "-/-":
            assert masked != original
    masked_of = {o: m for o, m in rows}
    assert masked_of["-/-"] == "-/-"  # no letter, no digit: kept, as digits keeps 'n/a'
    assert masked_of["n/a"] != "n/a"  # letters are replaced
    ete = masked_of["ÉTÉ-2024-x"]  # a letter outside A-Z is kept
    assert ete[0] == ete[2] == "É" and ete[1] != "T"
    assert all(masked_of[o] == m for o, m in rows)  # the same value masks alike
    # keyed: the same under the same key, different under another
    assert masking.run("digits", params, "c", table="codes") == rows
    other = dict(masking.run("digits", params, "c", table="codes", key=KEY_B))
    same = [o for o in CODES if o != "-/-" and other[o] == masked_of[o]]
    assert len(same) <= 1 and set(same) <= {"a1"}, same  # "a1": one in 260 alike
    # the upper-case letters of a code are spread, not a constant
    assert len({m[0] for o, m in rows if o[0].isupper()}) > 1


def test_letters_keep_the_kept_prefix(masking: Masking) -> None:
    _table(masking, "prefixed", [f"GC-{i:04d}-AB{chr(65 + i % 26)}" for i in range(200)])
    rows = masking.run("digits", {"letters": True, "keep_prefix": 3}, "c", table="prefixed")
    assert all(m.startswith("GC-") and classes(m) == classes(o) for o, m in rows)
    assert len({m for _, m in rows}) > 190


def test_unique_letters_are_a_permutation(masking: Masking) -> None:
    """Every code of a dense shape ('A1-b': 6,760 of them) masks to another code of that
    shape, each one to a different one."""
    masking.conn.execute(
        "DROP TABLE IF EXISTS dense; CREATE TEMP TABLE dense (id int, c text UNIQUE);"
        "INSERT INTO dense SELECT row_number() OVER (), chr(65 + a) || d || '-' || chr(97 + b)"
        " FROM generate_series(0, 25) a, generate_series(0, 9) d, generate_series(0, 25) b"
    )
    rows = masking.run("digits", {"letters": True, "unique": True}, "c", table="dense")
    masked = [m for _, m in rows]
    assert len(rows) == 6760 and len(set(masked)) == 6760
    assert set(masked) == {o for o, _ in rows}  # the same set, reordered
    assert all(m != o for o, m in rows)


LUHN = (
    [with_check_digit(str(100 + 7 * i)) for i in range(40)]  # '100-8' without the dash
    + [f"{b}-{with_check_digit(b)[-1]}" for b in (str(1000 + 13 * i) for i in range(40))]
    + [with_check_digit(f"4{i:014d}") for i in range(1, 40)]
    + [" ".join(re.findall("....", with_check_digit(f"51{i * 7919:013d}"))) for i in range(40)]
    + ["1000X9", "10009"]
)


@pytest.mark.parametrize("unique", [False, True])
def test_luhn_keeps_a_valid_check_digit(masking: Masking, unique: bool) -> None:
    assert all(luhn_ok(v) for v in LUHN)
    _table(masking, "ids", LUHN)
    params = {"luhn": True, "unique": unique}
    rows = masking.run("digits", params, "c", table="ids")
    for original, masked in rows:
        assert luhn_ok(masked), (original, masked)
        assert masked != original and classes(masked) == classes(original)
    masked_of = dict(rows)
    assert masked_of["1000X9"][4] == "X"
    if unique:
        assert len(set(masked_of.values())) == len(LUHN)
    assert masking.run("digits", params, "c", table="ids") == rows
    # plain digits loses the check digit: most masked numbers fail it
    plain = masking.run("digits", {"unique": unique}, "c", table="ids")
    assert sum(luhn_ok(m) for _, m in plain) < len(LUHN) / 2


def test_luhn_with_letters_keep_prefix_and_invalid_values(masking: Masking) -> None:
    """A kept BIN still counts in the check digit; a value whose check digit was wrong
    stays wrong by as much (so unique stays injective); one digit after the kept prefix
    is masked as plain digits does."""
    valid = [with_check_digit(f"411111{i:09d}") for i in range(1, 60)]
    invalid = [v[:-1] + str((int(v[-1]) + 3) % 10) for v in valid[:20]]
    codes = [with_check_digit(f"{i:09d}") + f"-Ab{chr(65 + i % 26)}" for i in range(60)]
    _table(masking, "cards", [*valid, *invalid, "411111-7", *codes])
    for unique in (False, True):
        params = {"luhn": True, "unique": unique, "keep_prefix": 6, "letters": True}
        rows = masking.run("digits", params, "c", table="cards")
        masked_of = dict(rows)
        for v in valid:
            assert masked_of[v].startswith("411111") and luhn_ok(masked_of[v]), masked_of[v]
        for v in invalid:
            assert not luhn_ok(masked_of[v]) and masked_of[v] != v
        assert masked_of["411111-7"] != "411111-7" and masked_of["411111-7"][:7] == "411111-"
        for c in codes:
            assert luhn_ok(masked_of[c]) and classes(masked_of[c]) == classes(c)
        if unique:
            assert len(set(masked_of.values())) == len(rows)
