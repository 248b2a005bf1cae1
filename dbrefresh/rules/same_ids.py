"""Masked columns of different tables holding the same identifiers, given one rule.

Sentry keeps a user's ident in `sentry_eventuser.ident` and `tagstore_eventuser.ident`
(emails, numbers, UUIDs: whatever the SDK sent). The first, under a unique key, got
`hash`; the second, with none, `lorem` (text holding addresses): one user's id masked
two ways, and the tables no longer joined on it. cross_copies.py aligns kept copies of
a masked column only. Here two masked text columns whose values each name one row
(cross_copies' identifying columns) and whose samples share values (at least
MIN_MATCHES, and SHARED of the larger sample's distinctive values: the same people's,
not a column of idents holding some users' addresses beside a column of addresses) and
were proposed different strategies get one rule: the
one of the column under a unique key (it keeps that key), else of the one whose sample
is larger; the other takes it when it fits there, so equal values mask alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbrefresh.catalog import Catalog
from dbrefresh.rules.copies import NOT_COPIED
from dbrefresh.rules.cross_copies import MIN_MATCHES, identifying
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.base import Strategy

SHARED = 0.5  # of the larger sample's distinctive values, found in the other's


def align_same_ids(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """One rule for masked identifying columns of different tables sharing values."""
    refs = [
        ref
        for ref in sorted(identifying(catalog, proposals, samples))
        if proposals[ref[0]][ref[1]].strategy not in NOT_COPIED
    ]
    for i, one in enumerate(refs):
        for other in refs[i + 1 :]:
            a, b = proposals[one[0]][one[1]], proposals[other[0]][other[1]]
            if one[0] == other[0] or a.strategy == b.strategy:
                continue  # (one strategy's variants: propose_keys.align_variants)
            shared = len(samples[one].values & samples[other].values)
            larger = max(len(samples[one].values), len(samples[other].values))
            if shared < max(MIN_MATCHES, SHARED * larger):
                continue  # (an ident column holding some users' addresses is no email's)
            anchor, follower = sorted((one, other), key=lambda r: _rank(catalog, samples, r))
            _follow(catalog, proposals, strategies, anchor, follower, f"{shared} of {larger}")


def _rank(catalog: Catalog, samples: Mapping[Ref, TextSample], ref: Ref) -> tuple[bool, int]:
    """The anchor first: under a unique key, then the larger sample."""
    unique = ref[1] in catalog.tables[ref[0]].unique_columns()
    return not unique, -len(samples[ref].values)


def _follow(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    anchor: Ref,
    follower: Ref,
    seen: str,
) -> None:
    """The follower takes the anchor's rule when it fits there."""
    source, old = proposals[anchor[0]][anchor[1]], proposals[follower[0]][follower[1]]
    table = catalog.tables[follower[0]]
    unique = follower[1] in table.unique_columns() or source.unique
    ctx = column_context(table, table.columns[follower[1]], unique=unique)
    if not fits(strategies[source.strategy], source.params, ctx):
        return
    proposals[follower[0]][follower[1]] = ColumnProposal(
        follower[1],
        source.strategy,
        dict(source.params),
        unique=source.unique,
        kind=source.kind or old.kind,
        why=[
            *old.why,
            f"holds the identifiers of {anchor[0]}.{anchor[1]} ({seen} sampled values "
            f"shared): masked like it ({source.strategy}, not {old.strategy}), so equal "
            "values still match",
        ],
    )
