"""What to write for a column no rule classifies: a rule line, judged by its name.

A column added in production fails the nightly refresh (`unlisted_columns: fail`)
until someone classifies it; the error then says what `rules init` would propose for
it (by name only: the compiler reads no values), ready to paste under its table.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.init_yaml import rule_line
from dbrefresh.rules.model import Origin, RuleSet
from dbrefresh.rules.propose import propose_column
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.registry import all_strategies

PLAIN_HINT = "add it with a strategy, or `keep`"


@cache
def _strategies() -> dict[str, Strategy[Any]]:
    return {s.name: s for s in all_strategies()}


def unclassified_columns(catalog: Catalog, rules: RuleSet) -> Iterator[tuple[Origin, Table, str]]:
    """Every column of a masked (or rule-less) table that no rule lists, where the
    defaults governing the table say `unlisted_columns: fail`, with the rule's origin.
    A partition's columns are its parent's: a column missing under a rule on a
    partitioned table is named once, on that table, not once per partition (sixty for
    five years of monthly partitions), and a rule-less partition tree by its root."""
    reported: set[str] = set()
    for table in catalog.tables.values():
        if table.partitioned:
            continue
        governing = rules.governing(catalog, table.qualified)
        rule = rules.tables[governing] if governing else None
        if rule is not None and rule.action != "mask":
            continue
        # a listed table follows its own file's defaults; one listed nowhere, the strictest
        if (rule.unlisted_columns if rule else rules.unlisted_columns) == "keep":
            continue
        listed = rule.columns if rule else {}
        origin = rule.origin if rule else Origin(str(rules.files[0]), None)
        named = catalog.tables[governing or catalog.root_of(table.qualified)]
        for column in table.columns:
            key = f"{named.qualified}.{column}"
            if column not in listed and key not in reported:
                reported.add(key)
                yield origin, named, column


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
    if table.columns[column].generated:  # no strategy may write it
        return f"generated, so recomputed from the masked row: add `{rule_line(proposal)}`"
    if not proposal.masked or not proposal.why:
        return PLAIN_HINT
    return f"{PLAIN_HINT}; {proposal.why[0]}: `{rule_line(proposal)}`"
