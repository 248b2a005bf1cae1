"""Whole names written surname first or with initials, for `pii_values.is_full_name`.

A survey's free answers and NocoDB's opaque fields held 'Schuster, Robert', 'SCHUSTER
Robert' and 'R. Schuster' in every row and were kept without a note: the full-name
test wants a first name first, and the comma made 'Schuster, Robert' pass for a list
of credits. Each form is one person: one comma between a surname and a first name,
a surname in capitals before a first name, or one or two initials before a surname.
Lists ('Steven Tyler, Joe Perry') have more words beside each comma. Pure logic.
"""

from __future__ import annotations

import re

_INITIAL = re.compile(r"[^\W\d_]\.")
_CAPITALISED = re.compile(r"[^\W\d_][^\W\d_'\u2019-]*(?:-[^\W\d_][^\W\d_'\u2019]*)*")


def _surname(word: str, last: frozenset[str]) -> bool:
    """A capitalised surname, a double one by any part ('Müller-Lüdenscheidt')."""
    if _CAPITALISED.fullmatch(word) is None or not word[0].isupper():
        return False
    return any(part in last for part in word.lower().split("-"))


def _given(word: str, first: frozenset[str]) -> bool:
    if _CAPITALISED.fullmatch(word) is None or not word[0].isupper():
        return False
    return word.lower() in first or word.lower().split("-")[0] in first


def is_name_form(value: str, names: tuple[frozenset[str], frozenset[str]]) -> bool:
    """'Schuster, Robert', 'SCHUSTER Robert', 'R. Schuster', 'J. R. Smith'."""
    first, last = names
    text = value.strip()
    if text.count(",") == 1:
        surname, _, given = (p.split() for p in text.partition(","))
        return (
            len(surname) == 1
            and 1 <= len(given) <= 2
            and _surname(surname[0], last)
            and _given(given[0], first)
        )
    words = text.split()
    if not 2 <= len(words) <= 3:
        return False
    if len(words[0]) > 1 and words[0].isupper() and words[0].isalpha():
        return words[0].lower() in last and _given(words[1], first)
    initials = [w for w in words[:-1] if _INITIAL.fullmatch(w) and w[0].isupper()]
    return len(initials) == len(words) - 1 and _surname(words[-1], last)
