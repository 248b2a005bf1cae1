"""Masked columns that copy a masked column of ANOTHER table under another rule.

cross_copies.py looks at kept columns only. A copy that its name or values already
got masked kept its own rule: Airflow's log.owner (ab_user.username, or 'airflow')
got `lorem` for the addresses among them, Grafana's login_attempt.username and Canvas's
developer_keys.user_name `hash` by their names, while the column they copy got `forms`
or `full_name`; `log.owner = ab_user.username` matched no row after masking. Such a
column, most of whose distinctive sampled values (COPY_SHARE) are exact values of one
masked identifying column of another table, gets that column's rule, so equal values
still agree (a source sampled in part, with no index to look the values up, meets only
its sample's share of them: the share is scaled down alike); values it does not copy
('airflow') are masked by the same rule. Queries masked `within` (addresses only) are
not copied onto a column whose sample names a person in a literal: it keeps `lorem`.

Only the rules a column gets for want of a better one are replaced (REPLACEABLE:
`hash`, `lorem`): an `email` or `full_name` column keeps its own. A column under a
foreign key or in a partition key keeps its rule (its group was reconciled), and so
does one the source's rule could not keep unique or does not fit. A column sharing a
few values with a login (a tag 'support') stays as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog
from dbrefresh.rules import cross_copies, query_texts
from dbrefresh.rules.copies import NOT_COPIED
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.base import Strategy

REPLACEABLE = frozenset({"hash", "lorem"})  # rules given for want of knowing the value
COPY_SHARE = 0.5  # of the masked column's distinct sampled values, exactly the source's
MIN_COVERAGE = 0.25  # of a source's rows its sample read, that the share is scaled down to


def align_masked_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """Give masked copies of another table's masked identifying column its rule, in
    place."""
    sources = cross_copies.identifying(catalog, proposals, samples)
    if not sources:
        return
    probed = {
        ref: sorted(s.values, key=cross_copies.spread)[: cross_copies.MAX_PROBED]
        for ref, s in samples.items()
        if ref[0] in proposals
        and proposals[ref[0]][ref[1]].strategy in REPLACEABLE
        and len(s.values) >= cross_copies.MIN_MATCHES
    }
    if not probed:
        return
    known = {ref: set(samples[ref].values) for ref in sources}
    looked = cross_copies.index_hits(conn, catalog, sources, samples, probed, rows)
    for ref, hits in looked.items():
        known[ref] |= hits
    index = cross_copies.known_index(known)
    for kept, values in probed.items():
        # another table's column only: its own are copies.py's (and itself a source)
        own = {(kept, c) for c in catalog.tables[kept[0]].columns}
        best = cross_copies.best_match(kept, values, index, own)
        if best is None or _names_beside_query(proposals, best.source, samples[kept].values):
            continue
        seen = 1.0 if best.source in looked else _coverage(catalog, best.source, samples)
        if best.exact >= max(cross_copies.MIN_MATCHES, COPY_SHARE * seen * len(values)):
            _align(catalog, proposals, kept, best.source, best.exact, len(values), strategies)


def _names_beside_query(
    proposals: Mapping[str, dict[str, ColumnProposal]], source: Ref, values: Collection[str]
) -> bool:
    """A copy of queries masked `within` (addresses only) whose own sample names a
    person (or other personal data) in a literal: it keeps `lorem` (query_texts.py)."""
    within = proposals[source[0]][source[1]].params.get("within")
    return bool(within) and any(query_texts.personal_literal(v) for v in values)


def _coverage(catalog: Catalog, source: Ref, samples: Mapping[Ref, TextSample]) -> float:
    """The share of a source's rows its sample read, when no index looked the values up
    (Canvas's users.name, 1000 of 2000 sampled: a copy of every name meets half of them
    in the sample), MIN_COVERAGE at least; 1 when the table's size is unknown."""
    estimated = catalog.tables[source[0]].estimated_rows
    if estimated <= 0:
        return 1.0
    return max(MIN_COVERAGE, min(1.0, samples[source].sampled / estimated))


def _align(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    kept: Ref,
    source_ref: Ref,
    exact: int,
    probed: int,
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """The source's rule on the copy, when it can take it."""
    source = proposals[source_ref[0]][source_ref[1]]
    copy = proposals[kept[0]][kept[1]]
    strategy = strategies.get(source.strategy)
    if strategy is None or source.strategy in NOT_COPIED:
        return
    own = {k: v for k, v in source.params.items() if k != "unique"}
    if rule_value(copy) == rule_value(ColumnProposal(kept[1], source.strategy, own)):
        return
    table = catalog.tables[kept[0]]
    if kept[1] in table.partition_key or any(
        (fk.table == kept[0] and kept[1] in fk.columns)
        or (fk.ref_table == kept[0] and kept[1] in fk.ref_columns)
        for fk in catalog.fks_touching(kept[0])
    ):
        return
    unique = kept[1] in table.unique_columns()
    params = {**own, **({"unique": True} if unique and "unique" in source.params else {})}
    ctx = column_context(table, table.columns[kept[1]], unique=unique)
    parsed = strategy.parse_params(dict(params))
    if not strategy.reads_only_its_column(parsed) or not fits(strategy, params, ctx):
        return
    if unique and strategy.is_lossy_in(parsed, ctx):
        return
    name = f"{source_ref[0]}.{source_ref[1]}"
    proposals[kept[0]][kept[1]] = ColumnProposal(
        kept[1],
        source.strategy,
        params,
        unique=copy.unique,
        kind=source.kind,
        why=[
            *copy.why,
            f"but a copy of {name} ({exact} of {probed} sampled distinct values): "
            f"masked like it, not {copy.strategy}, so equal values still agree",
        ],
    )
