"""Refuse rules that would copy a masked column's original value into another column.

Every masked value is computed from the row as production wrote it. A strategy that
reads another column to mask its own (a template's `{last_name:last_name}`) applies a
strategy to it, so it writes a masked value; but an `sql` expression, and a template's
`{keep:column}` part, write what they read. Beside a masked first_name,
`display: {strategy: sql, expression: "upper(first_name)"}` wrote the original names
into display, where verify (which samples the originals of each masked column in that
column alone) could not see them. So such a rule is refused: it may read its own
column, and columns the rules keep, not columns they mask, nor a generated column
computed from one (its stored value is still the original's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from dbrefresh.catalog import Catalog, Table
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.model import ColumnRule, RuleSet, TableRule
from dbrefresh.strategies import sqlexpr
from dbrefresh.strategies.registry import get
from dbrefresh.strategies.sql import SqlParams
from dbrefresh.strategies.template import TemplateParams, parse_template

HINT = (
    "use `derived` instead, whose expression reads the masked values (a column the "
    "application computes from others: a search vector, a slug), or `template`: its "
    "{strategy:column} parts read the column through a strategy, e.g. "
    "'{first_name:first_name} {last_name:last_name}' gives the same masked names as "
    "those columns"
)


def original_reads(rules: RuleSet, catalog: Catalog) -> list[Finding]:
    """A finding for each column rule writing the original of a column the rules mask."""
    findings: list[Finding] = []
    for name, rule in rules.tables.items():
        table = catalog.tables.get(name)
        if table is None or rule.action != "mask":
            continue
        masked = _masked(table, rule)
        for column, col_rule in rule.columns.items():
            read = sorted(c for c in _copied(col_rule) if c in masked and c != column)
            if read:
                findings.append(_finding(table, col_rule, read))
    return findings


def _masked(table: Table, rule: TableRule) -> set[str]:
    """Columns whose values the rules change, and generated columns computed from them."""
    masked = {c for c, r in rule.columns.items() if not get(r.strategy).keeps_value}
    return masked | {
        c.name for c in table.columns.values() if c.generated and masked.intersection(c.reads)
    }


def _copied(col_rule: ColumnRule) -> set[str]:
    """Columns whose values the rule's output may hold as read (its own included)."""
    found: set[str] = set()
    for params in params_within(col_rule.params):
        if isinstance(params, SqlParams):
            found.update(sqlexpr.columns(sqlexpr.parse_expression(params.expression)))
        elif isinstance(params, TemplateParams):
            found.update(
                part.column
                for part in parse_template(params.template)
                if part.column is not None and part.strategy and get(part.strategy).keeps_value
            )
    return found


def params_within(value: Any) -> Iterator[Any]:
    """The parameters, and those of every strategy nested in them (switch cases, jsonb
    paths: a nested rule resolves to its strategy and parameters; the parameters were
    validated when the rules were loaded)."""
    if isinstance(value, BaseModel):
        yield value
        resolve = getattr(value, "resolve", None)
        if callable(resolve):
            try:
                nested = resolve()[1]
            except ValueError:  # a switch's `default: fail`: no strategy, reads nothing
                nested = None
            yield from params_within(nested)
        for field in type(value).model_fields:
            yield from params_within(getattr(value, field, None))
    elif isinstance(value, dict):
        for item in value.values():
            yield from params_within(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from params_within(item)


def _finding(table: Table, col_rule: ColumnRule, read: list[str]) -> Finding:
    names = ", ".join(read)
    return Finding(
        "reads-original",
        f"{col_rule.strategy} reads {names}, which the rules mask: it sees the original "
        f"values, and would write them into {col_rule.column}",
        location=Location(
            col_rule.origin.file, col_rule.origin.line, f"{table.qualified}.{col_rule.column}"
        ),
        hint=HINT,
    )
