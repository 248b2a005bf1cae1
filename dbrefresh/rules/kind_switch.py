"""A text column whose rows hold different kinds of value, told apart by a type column.

Matomo's log_action.name is a URL without scheme in the rows of `type` 1
('shop.example.com/search?q=Anna+Schmidt') and a page title or an event name in the
rows of types 4 and 8 ('Profile of Anna Schmidt'). Judged as one column, the titles
made it `lorem`, and every URL in Matomo's reports was lost. A column proposed `lorem`
or `hash` (a rule keeping nothing of the value's shape) beside a column named as a
kind (`type`, `kind`, `category`, ..., kept: a small integer or a short word) whose
sample holds a few kinds, is sampled kind by kind: each kind's values are judged as
the column alone would be, and when a kind gets a masking rule keeping the shape (the
URL rule of url_params.py), the column gets a `switch` by the kind column: each kind
its own masking rule; a kind judged `keep` (its smaller sample may just have missed the
few personal rows the whole column showed) or the sample did not meet gets the
whole-column rule (`default`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal, propose_column
from dbrefresh.rules.safe_cases import safe_cases
from dbrefresh.rules.sample import sample_clause, sampled_rows
from dbrefresh.strategies.base import Strategy

# whole-column rules that keep nothing of a value's shape
SHAPELESS = frozenset({"lorem", "hash"})
# names of a column telling the kind of a row (Matomo's log_action.type)
_KIND_NAME = re.compile(r"(^|_)(type|kind|category|class|medium|format)$")
_KIND_TYPES = frozenset({"int2", "int4", "int8", "text", "varchar", "bpchar"})
MAX_KINDS = 20  # distinct kinds in the sample
PER_KIND = 300  # values judged per kind
MIN_PER_KIND = 30  # values a kind needs for a rule of its own
SAMPLE_FACTOR = 10  # times the usual sample
MAX_CHARS = 2000


def _kind_columns(table: Table, columns: Mapping[str, ColumnProposal]) -> list[Column]:
    unique = table.unique_columns()
    return [
        c
        for c in table.columns.values()
        if _KIND_NAME.search(c.name.lower())
        and (c.type.base in _KIND_TYPES or c.type.category == "E")
        and not c.type.is_array
        and c.name not in unique
        and not columns[c.name].masked
    ]


def switch_by_kind(
    conn: psycopg.Connection[Any],
    table: Table,
    columns: dict[str, ColumnProposal],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Each shapeless text column beside a kind column judged kind by kind: a `switch`
    when a kind keeps its shape; in place."""
    kinds = _kind_columns(table, columns)
    if not kinds:
        return
    for name, proposal in list(columns.items()):
        column = table.columns[name]
        if (
            name in skip
            or proposal.strategy not in SHAPELESS
            or not column.type.is_text
            or column.type.is_array
            or column.generated
        ):
            continue
        for kind in kinds:
            try:
                by_kind = _sample(conn, table, kind, column, rows * SAMPLE_FACTOR)
            except psycopg.Error:  # a timeout, no right: the whole-column rule stays
                return
            if (found := _switch(table, column, kind, proposal, by_kind, strategies)) is not None:
                columns[name] = found
                break


def _switch(
    table: Table,
    column: Column,
    kind: Column,
    whole: ColumnProposal,
    by_kind: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    if not 2 <= len(by_kind) <= MAX_KINDS:
        return None
    cases: dict[str, Any] = {}
    reasons: list[str] = []
    shaped = False
    for key in sorted(by_kind):
        values = by_kind[key]
        if len(values) < MIN_PER_KIND:
            continue  # too few to judge: the whole-column rule (default)
        judged = propose_column(table, column, values, strategies, is_key=False)
        if not judged.masked or (judged.strategy, judged.params) == (whole.strategy, whole.params):
            # kept only by a smaller sample (the whole column's personal rows may be
            # rare), or masked as the whole: the whole-column rule (default)
            continue
        cases[key] = rule_value(judged)
        shaped = shaped or judged.strategy not in SHAPELESS
        reasons.append(f"{kind.name} {key}: {'; '.join(judged.why)}")
    if not shaped:
        return None
    params = safe_cases({"by": kind.name, "cases": cases, "default": rule_value(whole)})
    ctx = column_context(table, column, unique=column.name in table.unique_columns())
    if not fits(strategies["switch"], params, ctx):
        return None
    return ColumnProposal(
        column.name,
        "switch",
        params,
        kind=whole.kind,
        why=[
            f"its rows hold different kinds of value by {kind.name} ({len(by_kind)} sampled): "
            "judged kind by kind",
            *reasons,
            f"other kinds: {'; '.join(whole.why)}",
            f"REVIEW: kinds the sample did not meet get the whole column's rule ({whole.strategy})",
        ],
    )


def _sample(
    conn: psycopg.Connection[Any], table: Table, kind: Column, column: Column, rows: int
) -> dict[str, list[str]]:
    """Per kind (as text): up to PER_KIND values met in a sample of about `rows` rows;
    empty when the sample holds more than MAX_KINDS kinds."""
    query = sql.SQL(
        "SELECT k, v FROM (SELECT {k}::text AS k, left({v}::text, {chars}) AS v,"
        " row_number() OVER (PARTITION BY {k}) AS i,"
        " dense_rank() OVER (ORDER BY {k}) AS r FROM {only}{t}{sample}"
        " WHERE {k} IS NOT NULL AND {v} IS NOT NULL) s WHERE i <= {per_kind}"
        " AND r <= {kinds}"
    ).format(
        k=sql.Identifier(kind.name),
        v=sql.Identifier(column.name),
        chars=sql.Literal(MAX_CHARS),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows),
        per_kind=sql.Literal(PER_KIND),
        kinds=sql.Literal(MAX_KINDS + 1),
    )
    grouped: dict[str, list[str]] = {}
    for key, value in sampled_rows(conn, query):
        grouped.setdefault(str(key), []).append(str(value))
    return {} if len(grouped) > MAX_KINDS else grouped
