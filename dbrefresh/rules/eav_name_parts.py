"""A key/value key whose values are single names, now a first name, now a surname.

HAPI FHIR's hfj_spidx_string indexes a patient's `name` parameter one part a row: the
family name in one ('Harmon'), a given name in the next ('Cindy'). Judged as a column
named `name`, neither first names nor surnames were half the values, and the key was
kept: every patient's names survived. A key of a key/value table whose sampled values
are, in the main, known first names or surnames, and many different ones (a few
repeated words are categories: 'Green', 'Rose'), is a person's name: `full_name`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii_values
from dbrefresh.rules.fitting import choose, column_context
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.strategies.base import Strategy

SHARE = 0.6  # of the sampled values, known first names or surnames


def name_parts(
    table: Table,
    value: Column,
    values: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """`full_name` (or what fits) for a key whose values are single first or last names."""
    sample = [v.strip() for v in values if v.strip()]
    named = [v for v in sample if pii_values.is_first_name(v) or pii_values.is_last_name(v)]
    distinct = len({v.lower() for v in named})
    if (
        not sample
        or len(named) < SHARE * len(sample)
        or distinct < min(pii_values.MIN_DISTINCT_NAMES, len(named) / 2)
    ):
        return None
    chosen = choose("full_name", column_context(table, value, unique=False), strategies)
    if chosen is None:
        return None
    return ColumnProposal(
        value.name,
        chosen[0],
        dict(chosen[1]),
        kind="full_name",
        why=[f"{len(named)} of {len(sample)} sampled values are first names or surnames"],
    )
