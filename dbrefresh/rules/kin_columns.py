"""Columns named for a person beside the data subject: one-word names there need one value.

A lone one-word first or last name needs MIN_WORD_NAMES matching values (a dashboard
titled 'Sales' is no surname: pii_values.py). A small family table's `spouse`, 2 rows
('Jennifer', 'Michael'), was then kept, the names copied to staging. A column named
for a relative or a partner (spouse, partner, wife, husband, child, mother, ...; parent
only beside a name word: parent_first, parent_name) holds people's names: one matching
value is evidence enough there. Pure logic.
"""

from __future__ import annotations

from dbrefresh.rules import pii

KIN_WORDS = frozenset(
    {
        "spouse",
        "partner",
        "wife",
        "husband",
        "child",
        "children",
        "kid",
        "kids",
        "mother",
        "father",
        "son",
        "daughter",
        "sibling",
        "brother",
        "sister",
        "guardian",
        "fiance",
        "fiancee",
        "kin",
        "grandparent",
    }
)
# words of a tree as much as of a family: a person only beside a name word
_TREE_WORDS = frozenset({"parent", "parents"})
_NAME_WORDS = frozenset({"first", "given", "name", "last", "surname", "forename"})


def names_a_person(column: str) -> bool:
    """`spouse`, `partner_first`, `parent_name`: a column holding a relative's name."""
    words = set(pii.normalize(column).split("_"))
    return bool(words & KIN_WORDS) or bool(words & _TREE_WORDS and words & _NAME_WORDS)
