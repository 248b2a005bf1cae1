"""Web-session stores in `rules init`: proposed `truncate`, not masked column by column.

Moodle's mdl_sessions.sessdata, Django's django_session.session_data, Rails's
sessions.data and Laravel's sessions.payload hold each session's serialized state (PHP
`USER|O:8:"stdClass":...`, signed base64, Marshal): masked as text (lorem, a hash) it
no longer unserializes, and the application fails on every request that reads it,
while its session ids would still be production's. Such a table is emptied instead:
every visitor of staging logs in again. A table is taken for a session store by its
name (`session`, `sessions`, `*_session`, `*_sessions`), a text column naming a
session's id (`sid`, `session_id`, `session_key`, `sess_id`, or a text `id`), a data
column (`data`, `sessdata`, `session_data`, `sess_data`, `payload`) and no foreign key
referring to it (truncating would break those rows).
"""

from __future__ import annotations

import re

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import pii

_NAME = re.compile(r"(^|_)sessions?$")
ID_NAMES = ("sid", "session_id", "session_key", "sess_id", "sessid", "id")
DATA_NAMES = ("data", "sessdata", "session_data", "sess_data", "payload")
NOTE = (
    "a web-session store ({sid}, {data}: serialized session state, which masking would "
    "leave unreadable): emptied, so everyone logs in again on staging; REVIEW: use "
    "`columns:` instead to keep its rows"
)


def session_store(catalog: Catalog, table: Table) -> str | None:
    """Why the table is a web-session store to truncate (None: it is not one)."""
    if not _NAME.search(pii.normalize(table.name)) or table.parent is not None:
        return None
    columns = {pii.normalize(c.name): c for c in table.columns.values() if not c.generated}
    sid = next(
        (
            columns[n]
            for n in ID_NAMES
            if n in columns and columns[n].type.category == "S" and not columns[n].type.is_array
        ),
        None,
    )
    data = next(
        (
            columns[n]
            for n in DATA_NAMES
            if n in columns and (columns[n].type.category == "S" or columns[n].type.is_json)
        ),
        None,
    )
    if sid is None or data is None:
        return None
    lineage = {table.qualified, *(t.qualified for t in catalog.partitions_of(table.qualified))}
    if any(fk.ref_table in lineage and fk.table not in lineage for fk in catalog.foreign_keys):
        return None
    return NOTE.format(sid=sid.name, data=data.name)
