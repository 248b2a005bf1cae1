"""What to write for a column no rule classifies: a rule line, judged by its name.

A column added in production fails the nightly refresh (`unlisted_columns: fail`)
until someone classifies it; the error then says what `rules init` would propose for
it (by name only: the compiler reads no values), ready to paste under its table.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.init_yaml import rule_line
from dbrefresh.rules.propose import propose_column
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.registry import all_strategies

PLAIN_HINT = "add it with a strategy, or `keep`"


@cache
def _strategies() -> dict[str, Strategy[Any]]:
    return {s.name: s for s in all_strategies()}


def unclassified_hint(catalog: Catalog, table: Table, column: str) -> str:
    """The hint of an unclassified column: what its name suggests, when it suggests."""
    # a primary key's or a foreign key's column (keys referencing it are to a primary
    # or unique key, which its name alone does not make a key of; indexed lookups only)
    is_key = any(k.primary and column in k.columns for k in table.unique_keys) or any(
        column in fk.columns
        for each in catalog.lineage(table.qualified)
        for fk in catalog.keys_from(each)
    )
    proposal = propose_column(table, table.columns[column], None, _strategies(), is_key=is_key)
    if not proposal.masked or not proposal.why:
        return PLAIN_HINT
    return f"{PLAIN_HINT}; {proposal.why[0]}: `{rule_line(proposal)}`"
