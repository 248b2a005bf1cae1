"""Columns naming people too seldom for `pii_values.py`, or without a sentence round them.

Odoo's `mail_message.record_name` is 'Anna Schmidt' in a third of the rows and an
order number in the rest (whole-value full names need half the sample); a subject
'Re: Quotation for Jan Kowalski', a description 'Scan of ID for Marie Dubois' or an
attachment's name 'Lebenslauf Anna Schmidt.docx' names someone with fewer than three
lower-case words beside the name (the free-text detector's sign of a sentence). Both
were kept without a word. Here a value names a person when it is a full name or holds a
capitalised first name followed by a capitalised surname (particles between them); a
column naming many different people (MIN_PEOPLE) in a quarter of its values, or in
lines in a tenth, is masked, and a few people earn a REVIEW note with the counts.
Credits and catalogues stay kept: values listing two people or more (a track's
composers 'Steven Tyler, Joe Perry', people_lists.py) make a list, and one name on
every row (a designer) or names repeated as categories are too few different people.
A column gets `full_name` when full names outnumber the lines naming someone twice over;
titles mixing both get `lorem`, which turns their other values into text, not people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dbrefresh.rules import joined_names, people_lists, pii_values

MIN_PEOPLE = 10  # different people named before a column is masked (or half the values)
WHOLE_SHARE = 0.25  # of the values, full names or lines naming someone
LINE_SHARE = 0.1  # of the values, lines naming someone (as free text naming people)
NOTE_PEOPLE = 3  # different people that earn a REVIEW note when too few to mask
NOTE_SHARE = 0.05
LIST_SHARE = 0.1  # of the values naming people, lists of names: credits, not people
# Full names per line naming someone before the column is a name (`full_name`): Directus'
# directus_files.title held 'Anna Schmidt Passport' as often as 'Cv Anna Schmidt' and
# half plain words ('Success', 'Wohnung'), which full_name turned into people too
WHOLE_OVER_LINES = 2
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du"})
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


# A possessive ("John Stephens's dotfiles", with a typographic apostrophe too) names the person
_POSSESSIVE = re.compile(r"['\u2019]s$|(?<=s)['\u2019]$")


def _known(word: str, names: frozenset[str]) -> bool:
    lower = _POSSESSIVE.sub("", word).lower()
    return word[0].isupper() and (lower in names or lower.split("-")[0] in names)


def _surname(particles: str, word: str, last: frozenset[str]) -> bool:
    """A capitalised surname, alone or with its particles: the dictionaries keep some
    with theirs ('van grinsven')."""
    bare = _POSSESSIVE.sub("", word)
    joined = " ".join([*particles.split(), bare]).lower()
    return _known(word, last) or (word[0].isupper() and joined in last)


def people_in(value: str) -> set[str]:
    """The people a value names: a capitalised first name, then a capitalised surname
    after nothing but spaces and particles ('Marie Dubois', 'Piet de Vries')."""
    first, last = pii_values.all_names()
    words = list(_WORD.finditer(value))
    found: set[str] = set()
    for at, word in enumerate(words):
        if not _known(word.group(), first):
            continue
        end = at + 1
        while end < len(words) and words[end].group() in _PARTICLES:
            end += 1
        if end >= len(words):
            continue
        gap = value[word.end() : words[end].start()]
        if not _surname(gap, words[end].group(), last):
            continue
        if gap.startswith(" ") and all(c == " " or c.isalpha() for c in gap):
            surname = words[end].group()
            cut = len(surname) - len(_POSSESSIVE.sub("", surname))
            found.add(value[word.start() : words[end].end() - cut])
    return found


@dataclass(frozen=True)
class PeopleNamed:
    """What a sample says of the people a column names: counts only, never a value."""

    sampled: int
    whole: int  # values that are a full name
    lines: int  # values naming one person among other words
    lists: int  # values naming two people or more
    people: int  # different people named

    @property
    def named(self) -> int:
        return self.whole + self.lines

    def counts(self) -> str:
        return (
            f"{self.named} of {self.sampled} sampled values name people ({self.people} "
            f"different; {self.whole} a full name, {self.lines} a line naming one)"
        )


def count(values: Sequence[str]) -> PeopleNamed:
    """Count the values of a sample naming people, whole or in a line."""
    sample = [v for v in values if v.strip()]
    whole = lines = lists = 0
    people: set[str] = set()
    for value in sample:
        found = people_in(value) or joined_names.people_in(value)  # 'Scan_Anna_Schmidt.pdf'
        if len(found) > 1 and people_lists.is_list(value, found):
            lists += 1
        elif pii_values.is_full_name(value) and not re.search(r"[,;&/]", value):
            whole += 1
            people.add(" ".join(value.lower().split()))
        elif found:
            lines += 1
            people |= {name.lower() for name in found}
    return PeopleNamed(len(sample), whole, lines, lists, len(people))


def judge(values: Sequence[str]) -> tuple[str | None, list[str]]:
    """The kind to mask a column as (full_name for names, free_text for lines naming
    people) with its reason, or None with a REVIEW note for a few people, or nothing."""
    found = count(values)
    if not found.named or found.lists > LIST_SHARE * (found.named + found.lists):
        return None, []
    many = found.people >= min(MIN_PEOPLE, found.named / 2)  # a small table names fewer
    share = found.named / found.sampled
    if many and (share >= WHOLE_SHARE or found.lines >= LINE_SHARE * found.sampled):
        kind = "full_name" if found.whole >= WHOLE_OVER_LINES * found.lines else "free_text"
        return kind, [found.counts()]
    if found.people >= NOTE_PEOPLE and share >= NOTE_SHARE:
        hides = "`full_name`" if found.whole >= WHOLE_OVER_LINES * found.lines else "`lorem`"
        return None, [f"REVIEW: {found.counts()}, too few to mask: kept; {hides} hides them"]
    return None, []
