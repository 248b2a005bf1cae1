"""Key/value tables in `rules init`: the value column judged key by key (a `switch`).

wp_usermeta's meta_value is a first name in one row and 'true' in the next: judged as
one column, it was proposed `keep` (names and all) when no kind reached its threshold,
or a name strategy for every row (flags and phone numbers too) when names did. A table
with a key column and a value column named as such pairs are (meta_key and meta_value,
option_name and option_value, key and value...) has its value column sampled per key:
each key is judged as a column named after it would be (by the key's name and its
values), and the keys found personal become cases of a `switch` rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal, propose_column
from dbrefresh.rules.sample import sample_clause, sampled_rows
from dbrefresh.strategies.base import Strategy

# (key column, value column) names, as applications spell the pair
PAIRS = (
    ("meta_key", "meta_value"),
    ("option_name", "option_value"),
    ("setting_name", "setting_value"),
    ("attribute_name", "attribute_value"),
    ("field_name", "field_value"),
    ("property_name", "property_value"),
    ("key", "value"),
    ("name", "value"),
    ("attribute", "value"),
    ("field", "value"),
    ("setting", "value"),
    ("property", "value"),
)
SAMPLE_ROWS = 20  # times the usual sample, spread over many keys
PER_KEY = 200  # values judged per key
MAX_CASES = 100
MAX_CHARS = 500


def key_value_columns(table: Table) -> tuple[Column, Column] | None:
    """The (key, value) columns of a key/value table, if it is one."""
    text = {
        c.name.lower(): c
        for c in table.columns.values()
        if c.type.category == "S" and not c.type.is_array and not c.generated
    }
    for key, value in PAIRS:
        if key in text and value in text:
            return text[key], text[value]
    return None


def propose_switch(
    conn: psycopg.Connection[Any],
    table: Table,
    proposals: Mapping[str, ColumnProposal],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> ColumnProposal | None:
    """A `switch` rule for the value column of a key/value table, when some of its keys
    hold personal data (None otherwise). It replaces whatever the column got as a whole
    (a majority of first names made every value, 'true' flags included, a first name)."""
    pair = key_value_columns(table)
    if pair is None:
        return None
    key, value = pair
    try:
        by_key = _sample(conn, table, key, value, rows * SAMPLE_ROWS)
    except psycopg.Error:  # a timeout, no right: the column keeps its whole-column rule
        return None
    cases: dict[str, Any] = {}
    reasons: list[str] = []
    for name in sorted(by_key)[: MAX_CASES * 10]:
        as_column = Column(
            name, value.num, value.type, not_null=False, generated=False, identity=""
        )
        proposal = propose_column(table, as_column, by_key[name], strategies, is_key=False)
        if proposal.masked and len(cases) < MAX_CASES:
            cases[name] = rule_value(proposal)
            reasons.append(f"{name}: {'; '.join(proposal.why)}")
    if not cases:
        return None
    return ColumnProposal(
        value.name,
        "switch",
        {"by": key.name, "cases": cases},
        kind="key_value",
        why=[
            f"a key/value table: {value.name} judged per {key.name}",
            *reasons,
            f"REVIEW: keys the sample did not meet are kept ({len(by_key)} sampled)",
        ],
    )


def _sample(
    conn: psycopg.Connection[Any], table: Table, key: Column, value: Column, rows: int
) -> dict[str, list[str]]:
    """Up to PER_KEY values of each key met in a sample of about `rows` rows (pages
    across a large table): rows stored key by key would fill a plain LIMIT with the
    first keys."""
    query = sql.SQL(
        "SELECT k, v FROM (SELECT {k}::text AS k, left({v}::text, {n}) AS v, "
        "row_number() OVER (PARTITION BY {k}::text) AS i FROM {only}{t}{sample} "
        "WHERE {k} IS NOT NULL AND {v} IS NOT NULL) s WHERE i <= {per_key}"
    ).format(
        k=sql.Identifier(key.name),
        v=sql.Identifier(value.name),
        n=sql.Literal(MAX_CHARS),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows),
        per_key=sql.Literal(PER_KEY),
    )
    grouped: dict[str, list[str]] = {}
    for name, text in sampled_rows(conn, query):
        grouped.setdefault(str(name), []).append(str(text))
    return grouped
