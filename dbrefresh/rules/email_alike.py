"""Every email rule `rules init` proposes folds case alike: equal addresses mask alike
wherever they are.

An address masks to the same output only under the same `unique` and `fold_case`.
`unique` is aligned with the other strategies' variants (rule_alike.py: an address at
a JSON path or in a key/value table's case kept plain `email` beside unique email
columns, and `events.payload->>'email' = accounts.email` matched every event in
production and none after masking). Folding is the email rules' own: a display-name
column ('Ann <User.3@Example.COM>') did not fold case beside a citext contact column
that did, and a third of the rows showed another address than the contact. So
`fold_case: true` goes on every email rule once one has it, when folding is safe for
all: a column unique case-sensitively folds only if it holds no two addresses
differing only in case (asked of the table, as anonymize's preflight asks: otherwise
they would collide).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog
from dbrefresh.errors import first_line
from dbrefresh.rules.fitting import column_context
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.rule_alike import containers
from dbrefresh.strategies.registry import get

EMAIL = "email"
_TIMEOUT = "30s"  # a table too large to read in this long is not folded


def align_emails(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: dict[str, dict[str, ColumnProposal]]
) -> None:
    """The same `fold_case` on every email rule of the proposals: columns, JSON paths,
    switch cases (rule_alike.align_variants gives them the same `unique`)."""
    columns = [
        (name, column, p)
        for name, cols in proposals.items()
        for column, p in cols.items()
        if p.strategy == EMAIL
    ]
    nested = [
        (p, rules) for cols in proposals.values() for p in cols.values() for rules in _rules_of(p)
    ]
    params = [p.params for _, _, p in columns] + [
        r[k] for _, r, k in _nested_rules(nested) if isinstance(r[k], dict)
    ]
    if not any(p.get("fold_case") for p in params):
        return
    blocked = [
        (name, column, why)
        for name, column, p in columns
        if not p.params.get("fold_case") and (why := unfoldable(conn, catalog, name, column))
    ]
    for name, column, why in blocked:
        proposals[name][column].why.append(
            f"REVIEW: other email rules fold case, so addresses differing only in case "
            f"mask alike there, but not here ({why})"
        )
    if blocked:
        return
    for _, _, proposal in columns:
        if not proposal.params.get("fold_case"):
            proposal.params["fold_case"] = True
            proposal.why.append(_SAID)
    for proposal, rules, key in _nested_rules(nested):
        rule = rules[key] if isinstance(rules[key], dict) else {"strategy": EMAIL}
        if not rule.get("fold_case"):
            rule["fold_case"] = True
            rules[key] = rule  # (a shorthand `email` made a mapping to take it)
            proposal.why.append(f"{key}: {_SAID}")


_SAID = "fold_case: true like the other email rules, so equal addresses mask alike"


def _rules_of(proposal: ColumnProposal) -> Iterator[MutableMapping[str, Any]]:
    """The rule mappings (paths, cases) of a jsonb or switch proposal, nested ones too."""
    if proposal.strategy == EMAIL:
        return
    yield from containers(proposal.params)


def _nested_rules(
    nested: list[tuple[ColumnProposal, MutableMapping[str, Any]]],
) -> Iterator[tuple[ColumnProposal, MutableMapping[str, Any], str]]:
    """Each email rule among the nested ones, shorthand or mapping: (its column's
    proposal, the mapping holding it, its key)."""
    for proposal, rules in nested:
        for key, rule in rules.items():
            if rule == EMAIL or (isinstance(rule, dict) and rule.get("strategy") == EMAIL):
                yield proposal, rules, key


def unfoldable(
    conn: psycopg.Connection[Any], catalog: Catalog, name: str, column: str
) -> str | None:
    """Why the column cannot fold case: unique case-sensitively with values differing
    only in case (or the table could not be read to tell)."""
    table = catalog.tables[name]
    if column not in table.unique_columns():
        return None
    # the refusal anonymize's preflight evaluates for `fold_case` here (none where the
    # column's type ignores case): a message when two values differ only in case
    email = get(EMAIL)
    refusal = email.table_refusal(
        email.params_model.model_validate({"fold_case": True, "unique": True}),
        column_context(table, table.columns[column], unique=True),
    )
    if refusal is None:
        return None
    query = f"SELECT ({refusal.sql(dialect='postgres')}) IS NOT NULL"
    try:
        with conn.transaction():
            conn.execute(f"SET LOCAL statement_timeout = '{_TIMEOUT}'")
            row = conn.execute(query).fetchone()
    except psycopg.Error as exc:
        return (
            f"{name}.{column} is unique case-sensitively and could not be read: {first_line(exc)}"
        )
    if row is not None and row[0]:
        return (
            f"{name}.{column} is unique case-sensitively and holds addresses differing only in case"
        )
    return None
