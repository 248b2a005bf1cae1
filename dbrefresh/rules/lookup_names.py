"""`name` in a lookup table whose name holds a people word, whose values are things.

OpenMRS's patient_identifier_type.name ('OpenMRS ID', 'National ID') and
person_attribute_type.name ('Telephone Number', "Mother's Name") got `full_name` for
`name` in a table about people; OpenMRS looks these rows up by name, and staging broke.
The table's name is only a hint, so the values decide: when no sampled value holds a
known first or last name and most hold common words ('number', 'health') or an
identifier's abbreviation ('ID'), the column is kept with a REVIEW note. A name no
list knows ('Chidi Okafor') holds no common word and stays masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from dbrefresh.rules import faker_providers, pii, pii_values

MIN_SAMPLE = 3
SHARE = 0.5  # of the values holding a common word
# What labels an identifier or a category, never part of a person's name.
_LABEL_WORDS = frozenset({"id", "ids", "no", "nr", "num", "code", "type", "status", "other"})
_WORD = re.compile(r"[^\W\d_]+")
# What a label never holds: an id's, an address's or a handle's marks.
_ID_MARKS = ("@", ":")
_LOGIN = re.compile(r"(?=\S*[^\W\d_])(?=\S*\d)\S+")  # one token of letters and digits


@cache
def _common_words() -> frozenset[str]:
    """Common English words (faker's en_US lorem list) that are nobody's name."""
    if (provider := faker_providers.provider("faker.providers.lorem.en_US")) is None:
        return _LABEL_WORDS  # pragma: no cover - faker is a dependency
    first, last = pii_values.all_names()
    words = {w.lower() for w in provider.word_list} - first - last
    return frozenset(words | _LABEL_WORDS)


def _words(value: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(value)]


def overrule(
    column: str, by_name: pii.NameMatch, values: Sequence[str] | None
) -> tuple[None, list[str]] | None:
    """`keep`, with a REVIEW note, for a generic `name` holding things' names, else None."""
    sample = [v for v in values or () if v.strip()]
    if not pii.is_generic_name(column) or len(sample) < MIN_SAMPLE:
        return None
    if any(mark in v for v in sample for mark in _ID_MARKS) or any(
        _LOGIN.fullmatch(v.strip()) for v in sample
    ):
        return None  # '@kitten42:matrix.example.org', 'kitten42': ids and logins, no labels
    first, last = pii_values.all_names()
    known = first | last
    if any(w in known for v in sample for w in _words(v)):
        return None  # one person's name among them keeps the name's rule
    common = _common_words()
    labelled = sum(any(w in common for w in _words(v)) for v in sample)
    if labelled < SHARE * len(sample):
        return None
    return None, [
        f"REVIEW: {by_name.reason}, but none of {len(sample)} sampled values holds a known "
        f"name and {labelled} hold common words (a lookup table's labels, looked up by "
        "name): kept"
    ]
