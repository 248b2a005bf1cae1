"""What `rules init` keeps of each text column's sample for finding copies: its
distinct values that say something when met elsewhere (copies.py, cross_copies.py).

A value counts when it is MIN_LENGTH to MAX_LENGTH characters long and holds a letter:
shorter ones ('x1', 'yes', 'de'), numbers, dates and flags meet in unrelated columns by
chance; longer ones are text, not identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbrefresh.catalog import Table

MIN_LENGTH = 4
MAX_LENGTH = 200
_LETTER = re.compile(r"[^\W\d_]")

Ref = tuple[str, str]  # (qualified table, column)


def distinctive(value: str) -> bool:
    """A value that matching in two columns says something: long enough, with a letter."""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and _LETTER.search(value) is not None


@dataclass
class TextSample:
    """One text column's sample: its distinct distinctive values, how many values
    were sampled in all and how many of them were distinct."""

    values: frozenset[str]
    sampled: int
    distinct: int

    @classmethod
    def of(cls, values: Sequence[str]) -> TextSample:
        return cls(frozenset(v for v in values if distinctive(v)), len(values), len(set(values)))


def text_samples(table: Table, samples: Mapping[str, Sequence[str]]) -> dict[str, TextSample]:
    """The text columns' part of a table's sample."""
    return {
        c: TextSample.of(values)
        for c, values in samples.items()
        if table.columns[c].type.is_text and not table.columns[c].generated
    }
