"""Dates of a key/value table kept in step: HAPI FHIR's hfj_spidx_date.

hfj_spidx_date(sp_name, sp_value_low, sp_value_high, sp_value_low_date_ordinal,
sp_value_high_date_ordinal) indexes a patient's birth date as a range (the day's first
and last instant) and as two YYYYMMDD integers, which HAPI's day-precision searches
compare. Switched on sp_name (eav_prefixed.py), each date column was shifted by days
keyed by its own value: the day's last instant moved by other days than its first (the
range upside down), and the integers kept the true birth date. Each date_shift case is
keyed by the row's first date column instead (`by: sp_value_low`: the same days for the
whole row), and each integer column named after a date column (`<date>_date_ordinal`,
`<date>_ordinal`) gets the same cases as YYYYMMDD integers (`ordinal: true`).
"""

from __future__ import annotations

import copy
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules.eav_prefixed import DATES
from dbrefresh.rules.propose import ColumnProposal

ORDINAL_TYPES = frozenset({"int4", "int8"})


def align_dates(
    table: Table, columns: dict[str, ColumnProposal], switches: list[ColumnProposal]
) -> None:
    """Date switches keyed by the first one's column, their ordinals switched alike."""
    dated = [
        s
        for s in switches
        if table.columns[s.column].type.base in DATES and _shifted_keys(s.params["cases"])
    ]
    if not dated:
        return
    anchor = min(dated, key=lambda s: table.columns[s.column].num).column
    for switch in dated:
        for key in _shifted_keys(switch.params["cases"]):
            case = switch.params["cases"][key]
            switch.params["cases"][key] = {**case, "by": anchor}
        switch.why.insert(0, f"dates shifted by the days of the row's {anchor}: in step")
        switch.why.append(
            f"REVIEW: keyed by {anchor}'s timestamp, the days differ from those of the same "
            "date held as a date or in JSON (a resource's birthDate): a search by the "
            "masked date there may not find this row"
        )
        for suffix in ("_date_ordinal", "_ordinal"):
            ordinal = table.columns.get(switch.column + suffix)
            if (
                ordinal is None
                or ordinal.type.base not in ORDINAL_TYPES
                or ordinal.type.is_array
                or ordinal.generated
                or columns[ordinal.name].masked
            ):
                continue
            params: dict[str, Any] = copy.deepcopy(switch.params)
            for key in _shifted_keys(params["cases"]):
                params["cases"][key] = {**params["cases"][key], "ordinal": True}
            params["cases"] = {
                k: v for k, v in params["cases"].items() if k in _shifted_keys(params["cases"])
            }
            columns[ordinal.name] = ColumnProposal(
                ordinal.name,
                "switch",
                params,
                kind="key_value",
                why=[
                    f"{switch.column} as a YYYYMMDD integer: shifted by the same days, "
                    "written back as one"
                ],
            )
            break


def _shifted_keys(cases: dict[str, Any]) -> list[str]:
    return [
        key
        for key, case in cases.items()
        if isinstance(case, dict) and case.get("strategy") == "date_shift" and not case.get("text")
    ]
