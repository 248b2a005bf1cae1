"""The keyed permutations behind `digits` with unique: true (and letters: true) give the
outputs they gave before permute_digits and permute_letters shared one Feistel network
(dbrefresh.feistel_next): a masked value that changed would break the joins between
databases masked with the same seed before and after an upgrade."""

from __future__ import annotations

import itertools
import string

import pytest

from tests.strategies.conftest import Masking

# (input, output) under the prefix 'k1:', computed with the functions before the change:
# lengths 0 to 37 (past 18 digits and 12 letters the values go by pieces)
DIGITS = [
    ("", ""),
    ("5", "6"),
    ("15", "05"),
    ("79754", "01803"),
    ("242731672326", "231805704727"),
    ("8649208312402", "1118271689230"),
    ("923760926030926002", "607699803846056193"),
    ("5918362361078852611", "4660401514878530412"),
    ("6991922001192520002010195381613331001", "5145773468614936093599737831822302292"),
]
LETTERS = [
    ("", ""),
    ("G", "H"),
    ("YF", "HK"),
    ("CUPGE", "XULZO"),
    ("LXEYODMAUCOK", "XFPSPMJSVLUA"),
    ("FBXJEUAOZQKQE", "VSOGGUGPVLVLF"),
    ("ENKVLEVGTTIQDXXYPIZUWUWEN", "IGWRTCBBGRNJVZHJSQZPKIYSO"),
]
CODES = [  # (input, letters, output) of permute_code, hold_last false
    ("AB12CD34", True, "OX29AP99"),
    ("AB12CD34", False, "AB48CD75"),
    ("gift-7QX9-ab3k", True, "tfvi-4AF3-ck5g"),
    ("4111111111111111", True, "5747429677571468"),
    ("Ab-9", True, "Wb-0"),
    ("AAAA0000AAAA0000AAAA0000", True, "CRPH7362VRGR3011IDMX4387"),
]


@pytest.mark.parametrize(("value", "expected"), DIGITS)
def test_permute_digits_outputs_are_unchanged(masking: Masking, value: str, expected: str) -> None:
    row = masking.conn.execute("SELECT dbrefresh.permute_digits('k1:', %s)", (value,)).fetchone()
    assert row == (expected,)


@pytest.mark.parametrize(("value", "expected"), LETTERS)
def test_permute_letters_outputs_are_unchanged(masking: Masking, value: str, expected: str) -> None:
    row = masking.conn.execute("SELECT dbrefresh.permute_letters('k1:', %s)", (value,)).fetchone()
    assert row == (expected,)


@pytest.mark.parametrize(("value", "letters", "expected"), CODES)
def test_permute_code_outputs_are_unchanged(
    masking: Masking, value: str, letters: bool, expected: str
) -> None:
    row = masking.conn.execute(
        "SELECT dbrefresh.permute_code('k1:', %s, %s, false)", (value, letters)
    ).fetchone()
    assert row == (expected,)


@pytest.mark.parametrize(
    ("kind", "alphabet", "length"),
    [("digits", string.digits, 3), ("letters", string.ascii_uppercase, 2)],
)
def test_each_length_is_permuted_without_a_fixed_point(
    masking: Masking, kind: str, alphabet: str, length: int
) -> None:
    values = ["".join(t) for t in itertools.product(alphabet, repeat=length)]
    rows = masking.conn.execute(
        f"SELECT s, dbrefresh.permute_{kind}('x:', s) FROM unnest(%s::text[]) s", (values,)
    ).fetchall()
    assert sorted(out for _, out in rows) == values  # a bijection of the strings
    assert all(out != value for value, out in rows)  # none kept
