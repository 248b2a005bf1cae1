"""delete_cascade: rows a delete_where removes take the rows referencing them along.

Deleting test accounts from the clone left their orders referencing nothing, and the
swap refused the orphans. A condition reads its own row only, so the rules could not
say "and their orders". With `delete_cascade: true` the compiler follows every foreign
key down from the table: a referencing table's rows whose key matches a deleted row
are deleted too (one `IN (SELECT ...)` per key, over the referenced table's rows as
they were before masking: every chunk reads the originals), and so on down. Rows a
table's own delete_where removes without delete_cascade do not propagate (the swap
still refuses orphans of those), and neither does a key of a table to itself or a
key that closes a cycle.
"""

from __future__ import annotations

from dataclasses import replace

from dbrefresh.catalog import Catalog, ForeignKey
from dbrefresh.rules.model import RuleSet, TableRule
from dbrefresh.rules.relsteps import quote_ident, quote_table


def cascaded_conditions(rules: RuleSet, catalog: Catalog) -> dict[str, str]:
    """Per table (partitioned parents included), the SQL condition of the rows it loses
    because rows they reference are deleted with delete_cascade."""
    # Results are kept only when no key was skipped for closing a cycle on the way:
    # such a result depends on where the walk came from (A -> B -> A skips B -> A when
    # it started from A, but B's own result must still follow B -> A).
    memo: dict[str, str | None] = {}

    def propagating(name: str, path: frozenset[str]) -> tuple[str | None, bool]:
        """The condition of the rows of `name` whose loss propagates to their referrers,
        and whether a key was skipped for closing a cycle."""
        governing = rules.governing(catalog, name)
        rule = rules.tables[governing] if governing else None
        own = rule.delete_where if rule and rule.delete_cascade else None
        down, skipped = cascaded(name, path)
        parts = [f"({own})"] if own else []
        return " OR ".join([*parts, *([down] if down else [])]) or None, skipped

    def cascaded(name: str, path: frozenset[str]) -> tuple[str | None, bool]:
        if name in memo:
            return memo[name], False
        parts: list[str] = []
        skipped = False
        for fk in _keys_of(catalog, name):
            parent = fk.ref_table
            if parent == fk.table:
                continue  # a key of a table to itself: not followed
            if parent in path or parent == name:
                skipped = True  # a key closing a cycle: not followed
                continue
            condition, skipped_there = propagating(parent, path | {name})
            skipped = skipped or skipped_there
            if condition is None:
                continue
            only = "" if catalog.tables[parent].partitioned else "ONLY "
            columns = ", ".join(quote_ident(c) for c in fk.columns)
            referenced = ", ".join(f"_dbr_p.{quote_ident(c)}" for c in fk.ref_columns)
            parts.append(
                f"({columns}) IN (SELECT {referenced} FROM {only}{quote_table(parent)} AS "
                f"_dbr_p WHERE ({condition}) IS TRUE)"
            )
        result = " OR ".join(parts) or None
        if not skipped:
            memo[name] = result
        return result, skipped

    found = {name: cascaded(name, frozenset({name}))[0] for name in catalog.tables}
    return {name: condition for name, condition in found.items() if condition}


def _keys_of(catalog: Catalog, name: str) -> list[ForeignKey]:
    """Keys a table's rows obey: its own, and those its partitioned ancestors declare."""
    return [fk for each in sorted(catalog.lineage(name)) for fk in catalog.keys_from(each)]


def with_cascades(rules: RuleSet, catalog: Catalog) -> RuleSet:
    """The rules with each table's cascaded deletions added to the rule governing it
    (its own, or its partitioned parent's, whose partitions obey the same keys); a
    table kept, or without a rule, gets a rule that only deletes."""
    if not any(rule.delete_cascade for rule in rules.tables.values()):
        return rules  # (no walk over every key of a database that asks for none)
    conditions = cascaded_conditions(rules, catalog)
    if not conditions:
        return rules
    origin = next(r.origin for r in rules.tables.values() if r.delete_cascade)
    tables = dict(rules.tables)
    for name in conditions:
        if catalog.tables[name].partitioned:
            continue
        governing = rules.governing(catalog, name) or name
        rule = tables.get(governing)
        if (condition := conditions.get(governing)) is None:
            continue
        if rule is not None and rule.action == "truncate":
            continue
        if rule is None or rule.action == "keep":
            rule = TableRule(governing, "mask", {}, None, rule.origin if rule else origin)
        tables[governing] = replace(rule, cascaded_where=condition)
    return replace(rules, tables=tables)
