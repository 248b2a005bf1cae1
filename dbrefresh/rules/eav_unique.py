"""A `switch` case on a value column under a unique key must be injective.

Matrix's user_threepids is unique on (medium, address): each case of the switch by
`medium` masks the addresses of one medium, so a lossy case (a plain `phone`) could
map two numbers of that medium to one and break the key, and the compiler refuses the
whole rule. Each case judged as a column named after its key is made unique-safe here:
its own strategy with `unique: true` where it has the switch, else the first injective
candidate for its kind, else kept with a REVIEW note.

DHIS2 marks an attribute unique in its attribute table
(trackedentityattribute.uniquefield = true: a National ID) and enforces it itself;
the value table has no unique key. `digits` without `unique: true` made 4000 distinct
IDs 3987, and DHIS2 refused to save those entities. An attribute whose row in the
table naming it has a boolean UNIQUE_FLAGS column set true gets its case made
injective the same way (`unique_attribute_ids`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.candidates import CANDIDATES
from dbrefresh.rules.fitting import choose, column_context, fits, with_unique
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.base import Strategy

# boolean columns of an attribute table saying its values are unique (DHIS2's uniquefield)
UNIQUE_FLAGS = ("uniquefield", "unique_field", "is_unique", "isunique", "unique")


def injective_case(
    table: Table,
    value: Column,
    proposal: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
    *,
    flagged: bool = False,
) -> ColumnProposal:
    """The case's proposal, injective on `value` when that column is under a unique key
    or the attribute is `flagged` unique by its attribute table."""
    if not proposal.masked or not (flagged or value.name in table.unique_columns()):
        return proposal
    ctx = column_context(table, value, unique=True)
    strategy = strategies.get(proposal.strategy)
    if strategy is not None:
        params = with_unique(strategy, proposal.params, True)
        if fits(strategy, params, ctx):
            if flagged and params != proposal.params:
                proposal.why.append("its attribute table marks it unique: unique: true")
            proposal.params = params
            return proposal
    # a kind with candidates of its own (a JSON document's paths have none: a hash of
    # the whole document would break it)
    chosen = choose(proposal.kind, ctx, strategies) if proposal.kind in CANDIDATES else None
    uniqueness = (
        table.uniqueness_of(value.name)
        if value.name in table.unique_columns()
        else "unique for this attribute (its attribute table says so)"
    )
    if chosen is None:
        why = f"REVIEW: {value.name} is {uniqueness}, and no strategy that keeps it so fits: kept"
        return ColumnProposal(proposal.column, why=[*proposal.why, why])
    proposal.strategy, proposal.params = chosen[0], dict(chosen[1])
    proposal.why.append(f"{value.name} is {uniqueness}: {chosen[0]}, injective, instead")
    return proposal


def unique_attribute_ids(
    conn: psycopg.Connection[Any], named_by: tuple[Table, str, str]
) -> frozenset[str]:
    """The ids (as text) of the attributes their table flags unique (DHIS2's
    `uniquefield = true`); none when it has no such boolean column or cannot be read."""
    attributes, _, ref = named_by
    flag = next(
        (
            c
            for c in UNIQUE_FLAGS
            if c in attributes.columns and attributes.columns[c].type.base in {"bool", "boolean"}
        ),
        None,
    )
    if flag is None:
        return frozenset()
    query = sql.SQL("SELECT {r}::text FROM ONLY {a} WHERE {f}").format(
        r=sql.Identifier(ref),
        a=sql.Identifier(attributes.schema, attributes.name),
        f=sql.Identifier(flag),
    )
    try:
        return frozenset(str(row[0]) for row in sampled_rows(conn, query))
    except psycopg.Error:  # no right, a timeout: no case is forced
        return frozenset()
