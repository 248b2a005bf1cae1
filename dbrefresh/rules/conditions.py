"""Check a row condition written in rules (delete_where) before it reaches SQL.

A condition must be one boolean expression over the row's own columns: no subqueries,
no statements, no references to other tables. sqlglot parses it; we walk the tree.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

_FORBIDDEN = (exp.Query, exp.Subquery, exp.Command, exp.DDL, exp.DML, exp.Into)


def check_condition(text: str, columns: set[str]) -> list[str]:
    """Reasons the condition is refused (empty: acceptable)."""
    try:
        statements = sqlglot.parse(text, read="postgres")
    except ParseError as exc:
        return [f"cannot parse: {exc.errors[0]['description'] if exc.errors else exc}"]
    if len(statements) != 1 or statements[0] is None:
        return ["must be a single expression, not several statements"]
    tree = statements[0]
    if isinstance(tree, _FORBIDDEN) or not isinstance(tree, exp.Expression):
        return ["must be an expression, not a statement"]
    reasons = []
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            reasons.append("subqueries and statements are not allowed")
            break
    for column in tree.find_all(exp.Column):
        if column.table:
            reasons.append(f"column {column.sql()} refers to another table")
        elif column.name not in columns:
            reasons.append(f"no such column {column.name!r}")
    return reasons
