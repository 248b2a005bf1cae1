"""Names joined by '_', '.' or '-' inside a longer value, for `people_lines.py`.

Paperless's original_filename 'Scan_2023_Anna_Schmidt_Mietvertrag.pdf' was kept with no
note (3,000 file names, each a full name) while its title 'Mietvertrag Anna Schmidt'
was masked: a line named a person only by words split by spaces. Here a capitalised
first name joined to a capitalised surname by one '_', '.' or '-' names one too, as
the space would. Only inside a longer value (something else of letters or digits
beside the pair): 'Anna.Schmidt' alone is a login, for the login detectors. Across a
'-' the surname must be no first name: 'Anna-Maria', 'Jean-Pierre' are one person's
double first name. Lower-case pairs ('rose-hill', 'mark-down') are too often words.
"""

from __future__ import annotations

import itertools
import re

from dbrefresh.rules import pii_values

SEPARATORS = "_.-"
_LETTERS = re.compile(r"[^\W\d_]+")
_ALNUM = re.compile(r"[^\W_]")


def people_in(value: str) -> set[str]:
    """The people a value names by a capitalised first name and surname joined by one
    separator ('Anna_Schmidt' in 'Scan_Anna_Schmidt.pdf'), as 'Anna Schmidt'."""
    if not any(s in value for s in SEPARATORS):
        return set()
    first, last = pii_values.all_names()
    words = list(_LETTERS.finditer(value))
    found: set[str] = set()
    for a, b in itertools.pairwise(words):
        given, surname = a.group(), b.group()
        gap = value[a.end() : b.start()]
        if len(gap) != 1 or gap not in SEPARATORS:
            continue
        if not (given[0].isupper() and surname[0].isupper()):
            continue
        if given.lower() not in first or surname.lower() not in last:
            continue
        if gap == "-" and surname.lower() in first:
            continue
        if _ALNUM.search(value[: a.start()]) or _ALNUM.search(value[b.end() :]):
            found.add(f"{given} {surname}")
    return found
