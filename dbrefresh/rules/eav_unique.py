"""A `switch` case on a value column under a unique key must be injective.

Matrix's user_threepids is unique on (medium, address): each case of the switch by
`medium` masks the addresses of one medium, so a lossy case (a plain `phone`) could
map two numbers of that medium to one and break the key, and the compiler refuses the
whole rule. Each case judged as a column named after its key is made unique-safe here:
its own strategy with `unique: true` where it has the switch, else the first injective
candidate for its kind, else kept with a REVIEW note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.candidates import CANDIDATES
from dbrefresh.rules.fitting import choose, column_context, fits, with_unique
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy


def injective_case(
    table: Table,
    value: Column,
    proposal: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """The case's proposal, injective on `value` when that column is under a unique key."""
    if not proposal.masked or value.name not in table.unique_columns():
        return proposal
    ctx = column_context(table, value, unique=True)
    strategy = strategies.get(proposal.strategy)
    if strategy is not None:
        params = with_unique(strategy, proposal.params, True)
        if fits(strategy, params, ctx):
            proposal.params = params
            return proposal
    # a kind with candidates of its own (a JSON document's paths have none: a hash of
    # the whole document would break it)
    chosen = choose(proposal.kind, ctx, strategies) if proposal.kind in CANDIDATES else None
    uniqueness = table.uniqueness_of(value.name)
    if chosen is None:
        why = f"REVIEW: {value.name} is {uniqueness}, and no strategy that keeps it so fits: kept"
        return ColumnProposal(proposal.column, why=[*proposal.why, why])
    proposal.strategy, proposal.params = chosen[0], dict(chosen[1])
    proposal.why.append(f"{value.name} is {uniqueness}: {chosen[0]}, injective, instead")
    return proposal
