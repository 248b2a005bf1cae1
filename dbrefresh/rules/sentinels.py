"""Sentinel dates in the date columns `rules init` proposes to shift: kept, not moved.

Applications write a fixed date where they have none ('1900-01-01' for an unknown
birth date, '9999-12-31' for "never"), and compare against it. date_shift would move
it like a real date, and the application would read a real one. A sampled value that
is one of the usual sentinels and recurs (two rows and 1 % of the sample at least:
one person born on 1 January 1970 is a birth date, not a sentinel) is proposed under
date_shift's `keep`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sample_values

SENTINELS = ("0001-01-01", "1800-01-01", "1900-01-01", "1970-01-01", "2999-12-31", "9999-12-31")
MIN_ROWS = 2
MIN_SHARE = 0.01


def keep_sentinels(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, Mapping[str, ColumnProposal]],
    rows: int,
) -> None:
    """Add the sentinels a sample finds to each date column proposed for date_shift."""
    for name, columns in proposals.items():
        shifted = [
            p
            for p in columns.values()
            if p.strategy == "date_shift"
            and "keep" not in p.params
            and catalog.tables[name].columns[p.column].type.sql == "date"
        ]
        if not shifted:
            continue
        try:
            found = _sentinels(conn, catalog.tables[name], [p.column for p in shifted], rows)
        except psycopg.Error:  # no SELECT right, timeout: the proposal stays as it is
            continue
        for proposal in shifted:
            if kept := found.get(proposal.column):
                proposal.params["keep"] = kept
                proposal.why.append(
                    f"the sample repeats {', '.join(kept)}, a sentinel date: kept as it is"
                )


def _sentinels(
    conn: psycopg.Connection[Any], table: Table, columns: list[str], rows: int
) -> dict[str, list[str]]:
    """Per column, the sentinels that recur in a sample of `rows` rows."""
    found: dict[str, list[str]] = {}
    for column, values in sample_values(conn, table, columns, rows).items():
        least = max(MIN_ROWS, MIN_SHARE * len(values))
        if kept := [s for s in SENTINELS if values.count(s) >= least]:
            found[column] = kept
    return found
