"""Triggers and rules that would fire on masking's own writes, set aside while it writes.

Masking writes with `session_replication_role = replica`, which skips ordinary
triggers and rewrite rules, but not those enabled ALWAYS or REPLICA: an audit trigger
refilled the audit table the rules truncate (verify then failed every run), a BEFORE
trigger stamped `updated_at = now()` on every row the rules keep, an INSERT rule `DO
INSTEAD NOTHING` swallowed the refill and one `DO ALSO` copied every row elsewhere.
They are disabled in the writing transaction and enabled again, in the same mode,
before it commits: a failure rolls both back, and staging gets them as production had
them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbrefresh.catalog import Catalog
from dbrefresh.rules.relsteps import quote_ident, quote_table

MODES = {"A": "ALWAYS", "R": "REPLICA"}


def set_aside(catalog: Catalog, relations: Iterable[str]) -> tuple[list[str], list[str]]:
    """(disable, enable again) statements for the relations' replica-firing triggers
    and rules."""
    disable: list[str] = []
    enable: list[str] = []
    for relation in relations:
        table = catalog.tables.get(relation)
        if table is None:
            continue
        target = quote_table(relation)
        for kind, found in (("TRIGGER", table.replica_triggers), ("RULE", table.replica_rules)):
            for name, mode in found:
                disable.append(f"ALTER TABLE {target} DISABLE {kind} {quote_ident(name)}")
                enable.append(
                    f"ALTER TABLE {target} ENABLE {MODES[mode]} {kind} {quote_ident(name)}"
                )
    return disable, enable
