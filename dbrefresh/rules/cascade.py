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
A key declared ON DELETE SET NULL does what PostgreSQL's DELETE would: the referencing
rows stay, with the key's columns (or its SET NULL column list) set to NULL; the
deletion goes no further down that key. (A SET NULL key on a NOT NULL column, which
PostgreSQL itself could never apply, deletes like the others.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dbrefresh.catalog import Catalog, ForeignKey
from dbrefresh.rules.model import RuleSet, TableRule
from dbrefresh.rules.plan import MaskedColumn
from dbrefresh.rules.relsteps import quote_ident, quote_table


@dataclass(frozen=True)
class Cascade:
    """What delete_cascade does to each table (partitioned parents included)."""

    # the SQL condition of the rows it loses because rows they reference are deleted
    deleted: dict[str, str]
    # per column, the condition of the rows whose ON DELETE SET NULL key loses its row
    nulled: dict[str, dict[str, str]]


def cascade_effects(rules: RuleSet, catalog: Catalog) -> Cascade:
    """Follow the keys down from every table whose delete_where has delete_cascade."""
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
            if parent == fk.table or _sets_null(catalog, fk):
                continue  # a key to itself: its chain, in cascaded(); SET NULL: below
            if parent in path or parent == name:
                skipped = True  # a key closing a cycle: not followed
                continue
            condition, skipped_there = propagating(parent, path | {name})
            skipped = skipped or skipped_there
            if condition is not None:
                parts.append(_referencing(catalog, fk, condition))
        return _any(*parts), skipped

    found = {name: cascaded(name, frozenset({name}))[0] for name in catalog.tables}
    gone = {name: _any(own(name), found[name]) for name in catalog.tables}
    nulled: dict[str, dict[str, str]] = {}
    for name in catalog.tables:
        for fk in _keys_of(catalog, name):
            if _sets_null(catalog, fk) and (condition := gone[fk.ref_table]) is not None:
                columns = nulled.setdefault(name, {})
                referencing = _referencing(catalog, fk, condition)
                for column in fk.set_null:
                    before = columns.get(column)
                    columns[column] = f"{before} OR {referencing}" if before else referencing
    deleted = {name: condition for name, condition in found.items() if condition}
    return Cascade(deleted, nulled)


def _referencing(catalog: Catalog, fk: ForeignKey, condition: str) -> str:
    """Rows whose key references a row of fk's referenced table matching `condition`."""
    parent = fk.ref_table
    only = "" if catalog.tables[parent].partitioned else "ONLY "
    columns = ", ".join(quote_ident(c) for c in fk.columns)
    referenced = ", ".join(f"_dbr_p.{quote_ident(c)}" for c in fk.ref_columns)
    return (
        f"({columns}) IN (SELECT {referenced} FROM {only}{quote_table(parent)} AS "
        f"_dbr_p WHERE ({condition}) IS TRUE)"
    )


def _sets_null(catalog: Catalog, fk: ForeignKey) -> bool:
    """Whether a deleted referenced row sets the key to NULL rather than deleting."""
    table = catalog.tables[fk.table]
    return bool(fk.set_null) and not any(table.columns[c].not_null for c in fk.set_null)


def _keys_of(catalog: Catalog, name: str) -> list[ForeignKey]:
    """Keys a table's rows obey: its own, and those its partitioned ancestors declare."""
    return [fk for each in sorted(catalog.lineage(name)) for fk in catalog.keys_from(each)]


def _self_keys(catalog: Catalog, name: str) -> dict[str, list[ForeignKey]]:
    """Keys of a table (or of the partitioned ancestor declaring them) to itself, by the
    table declaring them."""
    found: dict[str, list[ForeignKey]] = {}
    for fk in _keys_of(catalog, name):
        if fk.ref_table == fk.table and not _sets_null(catalog, fk):
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
    """The rules with each table's cascaded deletions and nulled keys added to the rule
    governing it (its own, or its partitioned parent's, whose partitions obey the same
    keys); a table kept, or without a rule, gets a rule that only does that."""
    if not any(rule.delete_cascade for rule in rules.tables.values()):
        return rules  # (no walk over every key of a database that asks for none)
    effects = cascade_effects(rules, catalog)
    if not effects.deleted and not effects.nulled:
        return rules
    origin = next(r.origin for r in rules.tables.values() if r.delete_cascade)
    tables = dict(rules.tables)
    for name in sorted({*effects.deleted, *effects.nulled}):
        if catalog.tables[name].partitioned:
            continue
        governing = rules.governing(catalog, name) or name
        rule = tables.get(governing)
        condition = effects.deleted.get(governing)
        nulled = effects.nulled.get(governing, {})
        if (condition is None and not nulled) or (rule is not None and rule.action == "truncate"):
            continue
        if rule is None or rule.action == "keep":
            rule = TableRule(governing, "mask", {}, None, rule.origin if rule else origin)
        tables[governing] = replace(
            rule, cascaded_where=condition, cascaded_nulls=tuple(sorted(nulled.items()))
        )
    return replace(rules, tables=tables)


def with_nulled_keys(masked: list[MaskedColumn], rule: TableRule) -> list[MaskedColumn]:
    """The masked columns with the rule's nulled key columns set to NULL where their
    referenced row is deleted (a kept column joins the list, copied otherwise)."""
    if not rule.cascaded_nulls:
        return masked
    nulled = dict(rule.cascaded_nulls)
    out = []
    for m in masked:
        if (condition := nulled.pop(m.column, None)) is not None:
            m = replace(m, expression=_null_when(condition, m.expression), dedupe=False)
        out.append(m)
    for column, condition in nulled.items():
        out.append(MaskedColumn(column, "keep", _null_when(condition, quote_ident(column)), False))
    return out


def _null_when(condition: str, expression: str) -> str:
    return f"CASE WHEN ({condition}) IS TRUE THEN NULL ELSE {expression} END"
