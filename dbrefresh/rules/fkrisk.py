"""Which foreign keys masking could break, and the query that counts their orphans.

Shared by the swap (which refuses to commit orphans) and by verify (which reports them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dbrefresh.catalog import Catalog, ForeignKey
from dbrefresh.rules.plan import RelationStep
from dbrefresh.rules.relsteps import quote_ident, quote_table


def fks_masking_can_break(
    catalog: Catalog, steps: Sequence[RelationStep], truncated: Iterable[str]
) -> list[ForeignKey]:
    """Foreign keys whose rows masking could have orphaned: a key column masked on either
    side, or referenced rows deleted (delete_where, truncate).

    Any other foreign key holds after masking exactly when it held before: rows are kept
    one for one (the row-count check) and unmasked columns are copied byte for byte. So
    those are not re-scanned (on a refresh of 2 GB, nine such scans cost 5 s), and a
    NOT VALID key with orphans already in production is not blamed on masking.
    """
    masked: set[tuple[str, str]] = set()
    losing_rows = set(truncated)
    for step in steps:
        for name in {step.relation, step.rule_table}:
            masked |= {(name, m.column) for m in step.masked}
            if step.deletes_rows:
                losing_rows.add(name)

    def touched(table: str, columns: Sequence[str]) -> bool:
        return any((t, c) in masked for t in catalog.lineage(table) for c in columns)

    return [
        fk
        for fk in catalog.foreign_keys
        if touched(fk.table, fk.columns)
        or touched(fk.ref_table, fk.ref_columns)
        or catalog.lineage(fk.ref_table) & losing_rows
    ]


def orphans_sql(fk: ForeignKey) -> str:
    """Count the rows of the referencing table whose full key matches no referenced row."""
    child, parent = quote_table(fk.table), quote_table(fk.ref_table)
    join = " AND ".join(
        f"p.{quote_ident(r)} = c.{quote_ident(col)}"
        for col, r in zip(fk.columns, fk.ref_columns, strict=True)
    )
    not_null = " AND ".join(f"c.{quote_ident(col)} IS NOT NULL" for col in fk.columns)
    return (
        f"SELECT count(*) FROM {child} c WHERE {not_null} AND NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE {join})"
    )
