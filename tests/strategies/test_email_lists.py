"""Address lists in one value (Zammad's ticket_articles "to"/cc, LimeSurvey's
emailnotificationto): each address masks in place, as it would alone, with its form,
the separators and the list's length kept; a single address is masked as before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.strategies.conftest import KEY_A, Masking

LISTS = [
    '"Anna Schmidt" <anna.schmidt@kunde.example>, support@firma.example',
    "anna.schmidt@kunde.example;j.weber@partner.example",
    ' support@firma.example ;  "Weber, Jürgen" <j.weber@partner.example> ;',
    '"Weber, Jürgen" <j.weber@partner.example>',
    "Jürgen Weber <j.weber@partner.example>,,support@firma.example",
]
SINGLES = [
    "anna.schmidt@kunde.example",
    "support@firma.example",
    "j.weber@partner.example",
    '"Weber, Jürgen" <j.weber@partner.example>',
]
_SEPARATORS = re.compile(r'\s*[,;]\s*(?=(?:[^"]*"[^"]*")*[^"]*$)')
_DISPLAYED = re.compile(r'(?:"[^"]*"|[^"<>,;]+) <([^<>]+)>')


def _run(masking: Masking, params: dict[str, Any], values: list[str], type_sql: str) -> list[str]:
    masking.conn.execute("DROP TABLE IF EXISTS addr_lists")
    masking.conn.execute(f"CREATE TEMP TABLE addr_lists (id int, v {type_sql})")
    with masking.conn.cursor() as cur:
        cur.executemany("INSERT INTO addr_lists VALUES (%s, %s)", list(enumerate(values)))
    return [m for _, m in masking.run("email", params, "v", table="addr_lists")]


def _address(item: str) -> str:
    shown = _DISPLAYED.fullmatch(item)
    return shown.group(1) if shown else item


@pytest.mark.parametrize(
    "params", [{"lists": True}, {"lists": True, "unique": True}, {"lists": True, "fold_case": True}]
)
def test_each_address_of_a_list_masks_in_place_like_a_single_one(
    masking: Masking, params: dict[str, Any]
) -> None:
    masked = _run(masking, params, LISTS + SINGLES, "varchar(3000)")
    lists, singles = masked[: len(LISTS)], masked[len(LISTS) :]
    alone = {o: _address(m) for o, m in zip(SINGLES, singles, strict=True)}
    alone |= {_address(o): a for o, a in list(alone.items())}
    for original, value in zip(LISTS, lists, strict=True):
        assert _SEPARATORS.findall(value) == _SEPARATORS.findall(original), value
        before, after = _SEPARATORS.split(original), _SEPARATORS.split(value)
        assert len(before) == len(after), value
        for old, new in zip(before, after, strict=True):
            assert (old.strip() == "") == (new.strip() == ""), value
            if not old.strip():
                continue
            assert bool(_DISPLAYED.fullmatch(old.strip())) == bool(
                _DISPLAYED.fullmatch(new.strip())
            ), (old, new)
            assert "@" in _address(new.strip()) and "example" not in new.split("@")[0]
            assert _address(new.strip()) == alone[_address(old.strip())], (old, new)
        for word in ("anna", "schmidt", "weber", "jürgen", "kunde", "firma", "partner"):
            assert word not in value.lower(), value
    assert masked[3] == masked[len(LISTS) + 3]  # a quoted ',' separates nothing
    # an item with no '@' makes no list: one display-name form, one odd address
    values = ["Weber, Jürgen <j.weber@partner.example>", "j.weber@partner.example", "e,f@x.org"]
    display, bare, odd = _run(masking, params, values, "text")
    assert _address(display) == _address(bare) and display.startswith('"'), display
    assert "," not in odd and odd.count("@") == 1, odd


def test_a_list_in_a_citext_array_masks_each_address(masking: Masking) -> None:
    """The list path runs inside arrays and on a case-insensitive type alike."""
    masking.conn.execute("CREATE EXTENSION IF NOT EXISTS citext")
    masking.conn.execute("DROP TABLE IF EXISTS addr_arrays")
    masking.conn.execute(
        "CREATE TEMP TABLE addr_arrays AS SELECT 1 AS id,"
        " ARRAY['Ann@X.example; bo@y.example', 'ann@x.example']::citext[] AS v"
    )
    expr = masking.expression("email", {"lists": True}, masking.context("v", table="addr_arrays"))
    masking.use_key(KEY_A)
    row = masking.conn.execute(f"SELECT CAST({expr} AS text[]) FROM addr_arrays").fetchone()
    assert row
    listed, alone = row[0]
    first, second = listed.split("; ")
    assert first == alone and "@" in second and second != alone


def test_without_lists_a_list_is_one_address(masking: Masking) -> None:
    """Off (the default), the expression holds no list branch to plan; a list is masked
    whole into one address, as before `lists` existed."""
    (masked,) = _run(masking, {}, ["anna@kunde.example, bo@firma.example"], "text")
    assert masked.count("@") == 1 and "," not in masked, masked
