"""Coordinates kept as text: OpenMRS's person_address.latitude, varchar(50).

'41.14676' in a column named `latitude` was kept with a REVIEW note, as `noise` needs a
number: a patient's home to a metre. An `sql` rule rounds each decimal coordinate to
one decimal (about 11 km; numeric coordinates move by up to 0.05 degrees), written back
as text so the application still parses a valid coordinate; anything else ('', 'N/A')
is left as it is, never cast (a cast that fails would fail the table). A value of one
decimal or none is that coarse already and stays. Only when every sampled value with a
digit is such a coordinate; a unique column keeps the REVIEW note (rounding merges
values).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal

DECIMALS = 1
_COORDINATE = re.compile(r" *[-+]?[0-9]{1,3}(?:\.[0-9]+)? *")
# The same in PostgreSQL's regular expressions, for the values rounding changes
_SQL_FINE = r"^ *[-+]?[0-9]{1,3}[.][0-9]{2,} *$"


def _guard(quoted: str) -> str:
    return f"regexp_replace({quoted}, '{_SQL_FINE}', '') = '' AND trim({quoted}) <> ''"


def proposal(
    table: str, column: Column, values: Sequence[str] | None, *, unique: bool, is_key: bool
) -> ColumnProposal | None:
    """An `sql` rule rounding a text column of decimal coordinates named like one, or
    None."""
    by_name = pii.match_name(column.name, table)
    sample = [v for v in values or () if v.strip()]
    if by_name is None or by_name.kind != "geo" or unique or is_key:
        return None
    if not column.type.is_text or column.type.is_array or not sample:
        return None
    coordinates = sum(bool(_COORDINATE.fullmatch(v)) for v in sample)
    if not coordinates or any(
        not _COORDINATE.fullmatch(v) and any(c.isdigit() for c in v) for v in sample
    ):
        return None  # a number of another shape: kept with the REVIEW note
    quoted = '"' + column.name.replace('"', '""') + '"'
    expression = (
        f"CASE WHEN {_guard(quoted)} THEN CAST(round(CAST(trim({quoted}) AS numeric), "
        f"{DECIMALS}) AS text) ELSE {quoted} END"
    )
    return ColumnProposal(
        column.name,
        "sql",
        {"expression": expression, "changes_when": _guard(quoted)},
        kind="geo",
        why=[
            f"{by_name.reason}; {coordinates} of {len(sample)} sampled values are decimal "
            f"coordinates kept as text: rounded to {DECIMALS} decimal (about 11 km)"
        ],
    )
