"""Group the rewritten relations that foreign keys tie together: one swap transaction each.

TRUNCATE refuses a relation that another table's foreign key references, unless that
table is truncated in the same statement. Relations tied by keys are therefore swapped
together (docs/anonymize.md, "How the swap works"); everything else stays independent
and swaps in parallel.
"""

from __future__ import annotations

import itertools
from collections.abc import Container, Iterable, Sequence

from dbrefresh.catalog import Catalog, ForeignKey
from dbrefresh.rules.fkrisk import fks_masking_can_break, orphans_sql
from dbrefresh.rules.plan import FkCheck, RelationStep, SwapGroup
from dbrefresh.rules.relsteps import literal, quote_ident, quote_table, truncate_only
from dbrefresh.rules.triggers import set_aside


def _drop_fk(fk: ForeignKey) -> str:
    return f"ALTER TABLE {quote_table(fk.table)} DROP CONSTRAINT {quote_ident(fk.name)}"


def _add_fk(fk: ForeignKey) -> list[str]:
    """Re-create the key from its exact definition (NOT VALID stays NOT VALID), and comment."""
    out = [
        f"ALTER TABLE {quote_table(fk.table)} ADD CONSTRAINT {quote_ident(fk.name)} {fk.definition}"
    ]
    if fk.comment is not None:
        out.append(
            f"COMMENT ON CONSTRAINT {quote_ident(fk.name)} ON "
            f"{quote_table(fk.table)} IS {literal(fk.comment)}"
        )
    return out


def _lock(tables: Iterable[str]) -> str:
    """The tables themselves, not their inheritance children (ONLY binds to one name):
    a swap never touches a child's rows, and locking a child made a parent's swap wait
    for whatever held it (the child's own swap or chunks, an application's session)."""
    names = ", ".join(f"ONLY {quote_table(t)}" for t in sorted(tables))
    return f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"


def _components(relations: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[set[str]]:
    parent = {r: r for r in relations}

    def root(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for r in parent:
        groups.setdefault(root(r), set()).add(r)
    return list(groups.values())


def _referenced_first(members: set[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    """Members ordered so a referenced relation comes before the ones referencing it
    (edges are (referencing, referenced)); relations in a cycle keep name order."""
    waiting = {m: {ref for t, ref in edges if t == m and ref != m} for m in members}
    order: list[str] = []
    while waiting:
        ready = sorted(m for m, refs in waiting.items() if not refs) or [min(waiting)]
        for m in ready:
            order.append(m)
            del waiting[m]
        for refs in waiting.values():
            refs.difference_update(ready)
    return order


def _covered(catalog: Catalog, steps: Container[str], name: str) -> list[str]:
    """The rewritten relations a key on `name` involves: itself, or the leaf partitions
    under it (a key on a partitioned table holds for each of its partitions)."""
    involved = {name, *(leaf.qualified for leaf in catalog.partitions_of(name))}
    return sorted(r for r in involved if r in steps)


def build_groups(
    catalog: Catalog, steps: Sequence[RelationStep], truncated: Iterable[str]
) -> list[SwapGroup]:
    """One SwapGroup per set of rewritten relations connected by foreign keys."""
    by_relation = {s.relation: s for s in steps}
    # Each key pointing at a rewritten relation, with the relations on both of its sides.
    keys = [
        (fk, refs, _covered(catalog, by_relation, fk.table))
        for fk in catalog.foreign_keys
        if (refs := _covered(catalog, by_relation, fk.ref_table))
    ]
    # Every relation a key involves must be truncated by the same statement.
    links = [pair for _, refs, tabs in keys for pair in itertools.pairwise([*refs, *tabs])]
    edges = [(t, r) for _, refs, tabs in keys for r in refs for t in tabs]  # referencing first
    breakable = {(fk.table, fk.name) for fk in fks_masking_can_break(catalog, steps, truncated)}
    groups = []
    for members in _components(by_relation, links):
        order = _referenced_first(members, edges)
        position = {r: i for i, r in enumerate(order)}
        group = SwapGroup(
            steps=[by_relation[r] for r in order],
            lock=_lock(members),
            lock_outside=None,
            drop_fks=[],
            truncate=truncate_only(sorted(members)),
        )
        group.mute_triggers, group.unmute_triggers = set_aside(catalog, order)
        outside = set()
        for fk, refs, _ in (k for k in keys if members.issuperset(k[1])):
            validated = False
            last_ref = max(refs, key=position.__getitem__)
            if fk.table not in members:
                # A kept table, or a partitioned one (its key is re-created on the parent):
                # its rows are checked against the masked ones when the key is re-added.
                outside.add(fk.table)
                group.drop_fks.append(_drop_fk(fk))
                group.add_fks_last += _add_fk(fk)
                validated = True
            elif any(by_relation[r].drop_indexes for r in refs):
                # The key depends on the referenced index, which is rebuilt.
                group.drop_fks.append(_drop_fk(fk))
                if position[fk.table] > position[last_ref]:
                    group.add_fks_after.setdefault(last_ref, []).extend(_add_fk(fk))
                else:
                    group.add_fks_last += _add_fk(fk)
                    validated = True
            trusted = "NOT VALID" not in fk.definition  # production may hold orphans
            if not validated and trusted and (fk.table, fk.name) in breakable:
                group.fk_checks.append(FkCheck(fk.name, fk.table, orphans_sql(fk)))
        if outside:
            group.lock_outside = _lock(outside - members)
        groups.append(group)
    groups.sort(key=lambda g: (-g.estimated_rows, g.relations))  # big first: better packing
    return groups
