"""Polymorphic references: an id column whose meaning another column of the row picks.

Camunda's `act_ru_authorization.resource_id_` names a user when `resource_type_` is 1,
and a process definition, group, application or filter otherwise. Once the users'
logins were hashed, the copy detector saw most sampled ids among them and hashed the
whole column alike: every non-user authorization then pointed at nothing. Such a
column is told by its name and a `<stem>type` sibling (`resource_id_` beside
`resource_type_`, Rails' `owner_id` beside `owner_type`). Pure logic over the catalog.
"""

from __future__ import annotations

import re

from dbrefresh.catalog import Table

_ID = re.compile(r"(?P<stem>.+?)_?id_?", re.IGNORECASE)


def type_column(table: Table, column: str) -> str | None:
    """The sibling column naming what `column` refers to, or None."""
    found = _ID.fullmatch(column)
    if found is None:
        return None
    stem = found["stem"].lower()
    for name in table.columns:
        if name.lower().rstrip("_") in {f"{stem}_type", f"{stem}type"}:
            return name
    return None
