"""Which materialized views to refresh after masking, and in which order.

A materialized view stores its query's rows: one over customers still holds production's
emails after customers is masked, where the leak check of the masked columns does not
look (the refresh workflow's byte search would find them and fail the run). Every
populated one that reads, directly or through views and other materialized views, a
relation the plan rewrites or truncates, or something the catalog cannot see through (a
function that is not built in, a foreign table), is refreshed after the swaps, the
materialized views it reads first. Views store nothing; ones over kept tables only keep
their data, which masking did not change.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbrefresh.catalog import Catalog
from dbrefresh.rules.plan import ViewRefresh
from dbrefresh.rules.relsteps import quote_table


def views_to_refresh(catalog: Catalog, changed: Iterable[str]) -> list[ViewRefresh]:
    """The populated materialized views reading changed data, dependencies first."""
    touched = {name for c in changed for name in catalog.lineage(c)} | set(changed)
    derived = catalog.derived

    def tainted(name: str, seen: frozenset[str] = frozenset()) -> bool:
        view = derived[name]
        return view.opaque or any(
            r in touched or (r in derived and r not in seen and tainted(r, seen | {name}))
            for r in view.reads
        )

    def materialized_reads(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out: set[str] = set()
        for r in derived[name].reads:
            if r in derived and r not in seen:
                out |= {r} if derived[r].kind == "m" else materialized_reads(r, seen | {name})
        return out

    chosen = {n for n, v in derived.items() if v.kind == "m" and v.populated and tainted(n)}
    ordered: list[str] = []

    def place(name: str) -> None:
        if name not in ordered:
            for dependency in sorted(materialized_reads(name) & chosen):
                place(dependency)
            ordered.append(name)

    for name in sorted(chosen):
        place(name)
    return [
        ViewRefresh(
            relation=name,
            after=tuple(sorted(materialized_reads(name) & chosen)),
            refresh=f"REFRESH MATERIALIZED VIEW {quote_table(name)}",
            empty=f"REFRESH MATERIALIZED VIEW {quote_table(name)} WITH NO DATA",
        )
        for name in ordered
    ]
