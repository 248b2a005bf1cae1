"""Whether a value naming two people or more is a list of them (credits) or a line.

A track's composers 'Steven Tyler, Joe Perry' or 'Jagger & Richards' are credits: the
names and what joins them, nothing else. Cal.com's booking title '30 Min Meeting
between Ann Smith and Bob Jones' names two people too, in a line about them: counted
as a list, the column was kept with 300 customers' names. A list is what is left once
its people are cut out: separators, conjunctions and capitalised words (names the
dictionaries miss); a lower-case word or a number makes it a line. Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# words joining the names of a list ('and', 'feat.', Portuguese 'e', 'arr.')
_JOINING = frozenset(
    {"and", "und", "et", "y", "e", "en", "i", "og", "och", "feat", "ft", "featuring", "vs"}
)
_WORD = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*", re.UNICODE)


def is_list(value: str, people: Iterable[str]) -> bool:
    """Whether the value is the people it names joined into a list."""
    rest = value
    for person in sorted(people, key=len, reverse=True):
        rest = rest.replace(person, " ")
    for word in _WORD.findall(rest):
        if any(c.isdigit() for c in word):
            return False
        if word[0].islower() and word.lower() not in _JOINING:
            return False
    return True
