"""`displayName` in a table that is not about people, whose values are no person's names.

Twenty's core.workspace."displayName" ('Acme', 'Qonto', 'YCombinator') got
`full_name` by its name alone: `display_name` says a person's name, but any thing has
one (workspaces, channels, organisations). Outside a table about people, when no
sampled value looks like a person's full name, the column is kept with a REVIEW note;
one value that does (a workspace named after its owner) keeps the name's rule. It
outranks the login shape (name_values.py): Wiki.js' authentication."displayName"
('GitHub', 'LDAP', 'Local') got a user name's hash.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules import pii, pii_values

_NAMES = frozenset({"display_name", "displayname"})
MIN_SAMPLE = 3


def overrule(
    table: str, column: str, by_name: pii.NameMatch, values: Sequence[str] | None
) -> tuple[None, list[str]] | None:
    """`keep`, with a REVIEW note, for a thing's display name, else None."""
    sample = [v for v in values or () if v.strip()]
    table_name = pii.normalize(table.rsplit(".", 1)[-1])
    if (
        by_name.kind != "full_name"
        or pii.normalize(column) not in _NAMES
        or pii.about_people(table_name)
        or len(sample) < MIN_SAMPLE
        or any(map(pii_values.is_full_name, sample))
    ):
        return None
    return None, [
        f"REVIEW: {by_name.reason}, but its table is not about people and none of "
        f"{len(sample)} sampled values is a person's full name (an organisation's or a "
        "thing's name): kept; `company` hides organisation names"
    ]
