"""Key/value tables with one value column per type: process engines' variables.

Camunda's, Flowable's and Activiti's act_ru_variable, act_hi_varinst and act_hi_detail
hold one row per process variable: its name in `name_`, a string in `text_` (and
`text2_`), an integer, a boolean (0/1) or a date (epoch milliseconds) in `long_`, a
number in `double_`, as `type_` says. No key/value pair of names matched (the trailing
underscores, and no `value` column), so each column was judged whole: `long_` read as a
longitude and got noise (booleans 0 became 1, birth dates stayed), `text_` became lorem
for every variable (status codes, currencies) for the sake of some e-mail addresses,
and the names in it were one lorem among many. A text `name` column beside a text
`text` and a numeric `long` column (a trailing underscore ignored) is read as such a
table: each value column is switched on the variable's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal

KEY = "name"
VALUES = ("text", "text2", "long", "double")
_NUMERIC = ("long", "double")
INTEGERS = frozenset({"int2", "int4", "int8", "numeric"})


def bare(name: str) -> str:
    """A column's name as matched: lower case, without the trailing underscore process
    engines (and Oracle-minded schemas) give every column ('NAME_', 'TEXT_')."""
    return name.lower().rstrip("_")


def typed_pairs(table: Table) -> list[tuple[Column, Column]]:
    """(key, value) for each value column of a variables table, in VALUES order."""
    columns = {
        bare(c.name): c for c in table.columns.values() if not c.generated and not c.type.is_array
    }
    key, text, long = columns.get(KEY), columns.get("text"), columns.get("long")
    if key is None or text is None or long is None:
        return []
    if key.type.category != "S" or text.type.category != "S" or long.type.category != "N":
        return []
    return [
        (key, columns[v])
        for v in VALUES
        if v in columns and columns[v].type.category == ("N" if v in _NUMERIC else "S")
    ]


DAY_MS = 86_400_000
BIRTH_DAYS = 365  # as a birth date column's date_shift (candidates.py)
# Epoch milliseconds of 1900-01-01 and 2100-01-01: a date, not a count or an amount
_MS_RANGE = (-2_208_988_800_000, 4_102_444_800_000)
_MIN_MS = 10**10  # all smaller: seconds, or ordinary numbers (1970-04-26 in ms)
_PAY = re.compile(r"(?:^|_)(?:salary|salaries|income|wage|wages|gehalt|einkommen|lohn)(?:_|$)")
PAY_NOISE = {"relative": 0.1}


def number_case(
    name: str, value: Column, values: Sequence[str], proposal: ColumnProposal
) -> ColumnProposal:
    """A numeric variable's rule where its name says more than a number column's would:
    a birth date kept as epoch milliseconds (no date strategy reads an integer) moved by
    up to a year of milliseconds, and a salary by up to 10%."""
    if value.type.category != "N" or proposal.masked:
        return proposal
    norm = pii.normalize(name)
    found = pii.match_name(name, "")
    birth = found is not None and found.kind == "birth_date"
    if found is not None and birth and value.type.base in INTEGERS and _epoch_ms(values):
        why = (
            f"{found.reason}; its sampled values are epoch milliseconds: moved by up to"
            f" {BIRTH_DAYS} days (noise), still a date"
        )
        params = {"absolute": BIRTH_DAYS * DAY_MS}
        return ColumnProposal(value.name, "noise", params, kind="birth_date", why=[why])
    if _PAY.search(norm):
        why = "name suggests a person's pay: moved by up to 10% (noise)"
        return ColumnProposal(value.name, "noise", dict(PAY_NOISE), kind="pay", why=[why])
    return proposal


def _epoch_ms(values: Sequence[str]) -> bool:
    numbers = []
    for text in values:
        try:
            numbers.append(int(text))
        except ValueError:
            return False
    low, high = _MS_RANGE
    # every one a time of 1900..2100 in ms, and some past any in seconds (births near
    # 1970 are small numbers of ms)
    return all(low <= n <= high for n in numbers) and max(map(abs, numbers), default=0) >= _MIN_MS


def keep_unswitched(table: Table, columns: dict[str, ColumnProposal], switched: set[str]) -> None:
    """A value column of a variables table whose variables the sample found none
    personal: kept, not read as what its name alone suggests (`long_` as a longitude,
    whose noise turned booleans 0 into 1 and dates into others)."""
    if not typed_pairs(table):
        return
    for _, value in typed_pairs(table):
        proposal = columns[value.name]
        if value.name not in switched and proposal.kind == "geo":
            columns[value.name] = ColumnProposal(
                value.name,
                why=[
                    f"a value column of a variables table (judged per {KEY}): no variable "
                    "in the sample is personal, not a coordinate"
                ],
            )
