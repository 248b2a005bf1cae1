"""Foreign keys in `rules init`: both sides of a key masked alike, or both kept.

The compiler refuses a foreign key whose two columns are masked differently (the key
would stop matching). So columns linked by foreign keys, transitively, form a group;
when any member holds PII the whole group gets one strategy that fits every member
and compiles to the same SQL shape, and otherwise the group is kept for review.

Columns of one kind that no key links (customers.email, newsletter.email) still join
in queries and reports: rule_alike.py gives every rule of a strategy the same variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dbrefresh.catalog import Catalog
from dbrefresh.rules.candidates import FALLBACK, Candidate
from dbrefresh.rules.fitting import column_context, fits, shape, with_unique
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.strategies.base import Strategy

Ref = tuple[str, str]  # (root table, column)
Proposals = dict[str, dict[str, ColumnProposal]]  # by root table, then column
FK_REASON = "foreign key: masked alike across"


def key_columns(catalog: Catalog) -> set[Ref]:
    """Primary-key and foreign-key columns (both sides), named at their root table."""
    keys: set[Ref] = set()
    for table in catalog.tables.values():
        root = catalog.root_of(table.qualified)
        keys.update((root, c) for key in table.unique_keys if key.primary for c in key.columns)
    for fk in catalog.foreign_keys:
        keys.update((catalog.root_of(fk.table), c) for c in fk.columns)
        keys.update((catalog.root_of(fk.ref_table), c) for c in fk.ref_columns)
    return keys


def connected(pairs: Iterable[tuple[Ref, Ref]]) -> list[list[Ref]]:
    """The columns `pairs` join, transitively: each group in column order."""
    parent: dict[Ref, Ref] = {}

    def find(ref: Ref) -> Ref:
        parent.setdefault(ref, ref)
        while parent[ref] != ref:
            parent[ref] = parent[parent[ref]]
            ref = parent[ref]
        return ref

    for here, there in pairs:
        parent[find(here)] = find(there)
    groups: dict[Ref, list[Ref]] = {}
    for ref in sorted(parent):
        groups.setdefault(find(ref), []).append(ref)
    return list(groups.values())


def fk_groups(catalog: Catalog) -> list[list[Ref]]:
    """Columns connected by foreign keys, transitively; referenced columns first."""
    pairs = [
        ((catalog.root_of(fk.table), col), (catalog.root_of(fk.ref_table), ref_col))
        for fk in catalog.foreign_keys
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True)
    ]
    referenced = {there for _, there in pairs}
    return [sorted(g, key=lambda r: (r not in referenced, r)) for g in connected(pairs)]


def _fits_all(
    catalog: Catalog, group: list[Ref], strategy: Strategy[Any], raw: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Parameters that make the strategy fit every member with one SQL shape, or None."""
    unique_any = any(c in catalog.tables[t].unique_columns() for t, c in group)
    params = with_unique(strategy, raw, unique_any)
    shapes = set()
    for table_name, column in group:
        table = catalog.tables[table_name]
        ctx = column_context(table, table.columns[column], unique=column in table.unique_columns())
        if not fits(strategy, params, ctx):
            return None
        shapes.add(shape(strategy, params, ctx))
    return params if len(shapes) == 1 else None


def reconcile(
    catalog: Catalog, proposals: Proposals, strategies: Mapping[str, Strategy[Any]]
) -> None:
    """Give every foreign-key group one strategy (or keep it all), in place."""
    for group in fk_groups(catalog):
        members = [(t, c) for t, c in group if c in proposals.get(t, {})]
        masked = [proposals[t][c] for t, c in members if proposals[t][c].masked]
        if len(members) < 2 or not masked:
            continue
        anchor = masked[0]
        chosen: Candidate | None = None
        for name, raw in ((anchor.strategy, anchor.params), *FALLBACK):
            strategy = strategies.get(name)
            params = _fits_all(catalog, members, strategy, raw) if strategy else None
            if params is not None:
                chosen = (name, params)
                break
        _apply(catalog, proposals, members, anchor, chosen)


def _apply(
    catalog: Catalog,
    proposals: Proposals,
    members: list[Ref],
    anchor: ColumnProposal,
    chosen: Candidate | None,
) -> None:
    names = ", ".join(f"{t}.{c}" for t, c in members)
    unique_any = any(c in catalog.tables[t].unique_columns() for t, c in members)
    for table, column in members:
        proposal = proposals[table][column]
        if chosen is None:
            proposal.strategy, proposal.params, proposal.unique = "keep", {}, False
            proposal.why = [
                *(proposal.why or anchor.why),
                f"REVIEW: foreign key links {names}; no strategy fits them all alike",
            ]
            continue
        if not proposal.masked:
            proposal.why = [*anchor.why]
        proposal.strategy, proposal.params = chosen[0], dict(chosen[1])
        proposal.unique = unique_any
        proposal.kind = proposal.kind or anchor.kind
        proposal.why.append(f"{FK_REASON} {names}")
