"""A lower-cased copy under a composite unique key: its source rebuilt from it instead.

Misskey's `user.usernameLower` is lower(username), unique with `host`. copies.py
rebuilds such a copy from its masked source (`u{hash:username|lower}`), but a template
over another column is injective on a unique column only when that column differs in
every row, which `username` alone does not: the template was refused, each column kept
a hash of its own, and lower(username) <> usernameLower on 302 of 1500 rows. The copy
keeps its own injective hash then, and the source (no key of its own) is rebuilt from
it: `u{hash:usernameLower}`, whose lower-case hex makes lower(username) equal the masked
usernameLower in every row. Pure logic.
"""

from __future__ import annotations

from dbrefresh.catalog import Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.registry import get


def source_from_copy(
    table: Table, copy: ColumnProposal, source: ColumnProposal, lead: str | None, seen: str
) -> ColumnProposal | None:
    """The source's rule rebuilt from its lower-cased copy's masked value (`lead` the
    text the copy's hash writes first, from copies._lead), or None: the copy's rule is
    no plain hash with a lower-case lead, or the template does not fit the source."""
    if copy.strategy != "hash" or lead is None or lead != lead.lower():
        return None
    raw = {"template": f"{lead}{{hash:{copy.column}}}"}
    column = table.columns[source.column]
    unique = source.unique or source.column in table.unique_columns()
    if not fits(get("template"), raw, column_context(table, column, unique=unique)):
        return None
    return ColumnProposal(
        source.column,
        "template",
        raw,
        kind=source.kind,
        why=[
            f"{copy.column} is lower({source.column}) {seen}, and under a unique key the "
            f"template over {source.column} cannot keep: rebuilt from the masked "
            f"{copy.column} (hex is lower case), so the two still agree; not "
            f"{source.strategy} of its own"
        ],
    )
