"""What `rules init` keeps of each text column's sample for finding copies: its
distinct values that say something when met elsewhere (copies.py, cross_copies.py).

A value counts when it is MIN_LENGTH to MAX_LENGTH characters long and holds a letter:
shorter ones ('x1', 'yes', 'de'), numbers, dates and flags meet in unrelated columns by
chance; longer ones are text, not identifiers.

A masked column of names or text (`WORDY_KINDS`) is held in another case or inside a
longer value only through its telling values: several words, a digit or punctuation in
them ('anna.k', 'Cv_2021'), or TELLING_LENGTH characters. Directus' directus_files.title
held plain words ('Success', 'Couple') beside names, and every kept subject or
description with one of them was said to hold the title, a Taiga history snapshot's
subject masked as `lorem` for it. A username or an email stays telling one word long
('jdoe' inside 'group/jdoe'); exact copies are judged by every value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbrefresh.catalog import Table

MIN_LENGTH = 4
MAX_LENGTH = 200
TELLING_LENGTH = 20  # one word this long is no common word ('Kundenzufriedenheit' aside)
# Kinds of masked columns whose single words meet common words elsewhere
WORDY_KINDS = frozenset(
    {"full_name", "first_name", "last_name", "free_text", "company", "city", "street"}
)
_PLAIN_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")

Ref = tuple[str, str]  # (qualified table, column)


def distinctive(value: str) -> bool:
    """A value that matching in two columns says something: long enough, with a letter."""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and _LETTER.search(value) is not None


def telling(value: str) -> bool:
    """A value whose copy says something in a column of names or text: not one plain
    word (letters only) unless a long one."""
    text = value.strip()
    return _PLAIN_WORD.fullmatch(text) is None or len(text) >= TELLING_LENGTH


def copied_values(kind: str | None, values: set[str]) -> set[str]:
    """The values of a masked column of this kind that a copy is looked up by."""
    return {v for v in values if telling(v)} if kind in WORDY_KINDS else values


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
