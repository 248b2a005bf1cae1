"""Triggers that would fire on masking's own writes, set aside while it writes.

Masking writes with `session_replication_role = replica`, which skips ordinary
triggers, but not those enabled ALWAYS or REPLICA: an audit trigger refilled the
audit table the rules truncate (verify then failed every run) and a BEFORE trigger
stamped `updated_at = now()` on every row the rules keep. They are disabled in the
writing transaction and enabled again, in the same mode, before it commits: a failure
rolls both back, and staging gets them as production had them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbrefresh.catalog import Catalog
from dbrefresh.rules.relsteps import quote_ident, quote_table

MODES = {"A": "ALWAYS", "R": "REPLICA"}


def set_aside(catalog: Catalog, relations: Iterable[str]) -> tuple[list[str], list[str]]:
    """(disable, enable again) statements for the relations' replica-firing triggers."""
    disable: list[str] = []
    enable: list[str] = []
    for relation in relations:
        table = catalog.tables.get(relation)
        for name, mode in table.replica_triggers if table else ():
            target, trigger = quote_table(relation), quote_ident(name)
            disable.append(f"ALTER TABLE {target} DISABLE TRIGGER {trigger}")
            enable.append(f"ALTER TABLE {target} ENABLE {MODES[mode]} TRIGGER {trigger}")
    return disable, enable
