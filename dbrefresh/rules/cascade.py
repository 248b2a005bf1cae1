"""delete_cascade: rows a delete_where removes take the rows referencing them along.

Deleting test accounts from the clone left their orders referencing nothing, and the
swap refused the orphans. A condition reads its own row only, so the rules could not
say "and their orders". With `delete_cascade: true` the compiler follows every foreign
key down from the table: a referencing table's rows whose key matches a deleted row
are deleted too (one `IN (SELECT ...)` per key, over the referenced table's rows as
they were before masking: every chunk reads the originals), and so on down. Rows a
table's own delete_where removes without delete_cascade do not propagate (the swap
still refuses orphans of those), and neither does a key that closes a cycle. A key of
a table to itself (employees.manager_id) takes the whole chain: the rows referencing a
deleted row, those referencing them, and so on (a recursive query over the table).
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

    def own(name: str) -> str | None:
        """The table's own delete_where, when it has its deletions propagate."""
        governing = rules.governing(catalog, name)
        rule = rules.tables[governing] if governing else None
        return f"({rule.delete_where})" if rule and rule.delete_cascade else None

    def propagating(name: str, path: frozenset[str]) -> tuple[str | None, bool]:
        """The condition of the rows of `name` whose loss propagates to their referrers,
        and whether a key was skipped for closing a cycle."""
        down, skipped = cascaded(name, path)
        return _any(own(name), down), skipped

    def cascaded(name: str, path: frozenset[str]) -> tuple[str | None, bool]:
        if name in memo:
            return memo[name], False
        down, skipped = from_others(name, path)
        chains: list[str] = []
        for table, keys in _self_keys(catalog, name).items():
            base, skipped_there = (down, False) if table == name else from_others(table, path)
            skipped = skipped or skipped_there
            if (start := _any(own(table), base)) is not None:
                chains += [_chain(catalog, table, fk, keys, start) for fk in keys]
        result = _any(down, *chains)
        if not skipped:
            memo[name] = result
        return result, skipped

    def from_others(name: str, path: frozenset[str]) -> tuple[str | None, bool]:
        """Rows `name` loses through keys to other tables."""
        parts: list[str] = []
        skipped = False
        for fk in _keys_of(catalog, name):
            parent = fk.ref_table
            if parent == fk.table:
                continue  # a key of a table to itself: its chain, in cascaded()
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
        return _any(*parts), skipped

    found = {name: cascaded(name, frozenset({name}))[0] for name in catalog.tables}
    return {name: condition for name, condition in found.items() if condition}


def _keys_of(catalog: Catalog, name: str) -> list[ForeignKey]:
    """Keys a table's rows obey: its own, and those its partitioned ancestors declare."""
    return [fk for each in sorted(catalog.lineage(name)) for fk in catalog.keys_from(each)]


def _self_keys(catalog: Catalog, name: str) -> dict[str, list[ForeignKey]]:
    """Keys of a table (or of the partitioned ancestor declaring them) to itself, by the
    table declaring them."""
    found: dict[str, list[ForeignKey]] = {}
    for fk in _keys_of(catalog, name):
        if fk.ref_table == fk.table:
            found.setdefault(fk.table, []).append(fk)
    return found


def _chain(
    catalog: Catalog, table: str, key: ForeignKey, keys: list[ForeignKey], start: str
) -> str:
    """Rows whose `key` references a row of the chain: the rows `start` matches, the rows
    referencing them through any of the table's `keys` to itself, and so on.

    UNION (not UNION ALL) ends the recursion on a cycle of rows (a manager of a manager
    of themself). The recursive term may name the chain once, so several keys are one
    join with OR (no hash join; one key, the usual case, hashes).
    """
    source = ("" if catalog.tables[table].partitioned else "ONLY ") + quote_table(table)
    referenced = sorted({c for fk in keys for c in fk.ref_columns})
    names = ", ".join(quote_ident(c) for c in referenced)
    picked = ", ".join(f"_dbr_c.{quote_ident(c)}" for c in referenced)
    joined = " OR ".join(
        "("
        + ", ".join(f"_dbr_c.{quote_ident(c)}" for c in fk.columns)
        + ") = ("
        + ", ".join(f"_dbr_chain.{quote_ident(c)}" for c in fk.ref_columns)
        + ")"
        for fk in keys
    )
    columns = ", ".join(quote_ident(c) for c in key.columns)
    wanted = ", ".join(f"_dbr_chain.{quote_ident(c)}" for c in key.ref_columns)
    return (
        f"({columns}) IN (WITH RECURSIVE _dbr_chain ({names}) AS ("
        f"SELECT {names} FROM {source} WHERE ({start}) IS TRUE "
        f"UNION SELECT {picked} FROM {source} AS _dbr_c JOIN _dbr_chain ON {joined}) "
        f"SELECT {wanted} FROM _dbr_chain)"
    )


def _any(*conditions: str | None) -> str | None:
    return " OR ".join(c for c in conditions if c) or None


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
