"""`rules init` for a column of a composite type: its fields judged like columns.

`home_address postal_address` (street, city, zip) was proposed `keep` with a REVIEW
note, since no strategy masked inside a row value: 2,685 of 2,685 addresses reached
staging, while the same fields inside the audit log's JSON were masked. Each field is
now judged as a column of the field's type would be, by its name (in a "table" named
after the type: `name` in a type `person`) and by its values, read from the sampled
values' text form; the fields that look personal get a `composite` rule, the others are
kept. A value of a composite type whose fields all look like codes or amounts (an
(amount, currency) pair) gets no rule here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

# propose.propose_column: the column classifier (passed in: propose.py calls this module)
Classify = Callable[..., ColumnProposal]
STRATEGY = "composite"


def record_fields(text: str) -> list[str | None] | None:
    """The fields of a row value's text form, `(12 Main St,"New York",)` (None for a
    NULL field), or None when the text is no whole row value (cut short by the sample)."""
    if len(text) < 2 or text[0] != "(" or text[-1] != ")":
        return None
    fields: list[str | None] = []
    at = 1
    while True:
        if text.startswith('"', at):
            value, at = _quoted(text, at + 1)
            if value is None:
                return None
            fields.append(value)
        else:
            end = at
            while end < len(text) and text[end] not in ",)":
                end += 1
            fields.append(text[at:end] if end > at else None)
            at = end
        if at >= len(text):
            return None
        if text[at] == ")":
            return fields if at == len(text) - 1 else None
        at += 1  # the comma


def _quoted(text: str, at: int) -> tuple[str | None, int]:
    """A quoted field from `at` (after its quote): `""` and a backslash escape a
    character; the field and where it ends (None: never closed)."""
    out: list[str] = []
    while at < len(text):
        char = text[at]
        if char == "\\" and at + 1 < len(text):
            out.append(text[at + 1])
            at += 2
        elif char == '"' and text.startswith('"', at + 1):
            out.append('"')
            at += 2
        elif char == '"':
            return "".join(out), at + 1
        else:
            out.append(char)
            at += 1
    return None, at


def field_values(column: Column, values: Sequence[str] | None) -> dict[str, list[str]]:
    """Each field's non-NULL values among the sampled values of the column."""
    names = [name for name, _ in column.type.fields]
    out: dict[str, list[str]] = {name: [] for name in names}
    for value in values or ():
        fields = record_fields(value)
        if fields is None or len(fields) != len(names):
            continue
        for name, field in zip(names, fields, strict=True):
            if field is not None:
                out[name].append(field)
    return out


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    classify: Classify,
) -> ColumnProposal | None:
    """A `composite` rule masking the fields that look personal, or None: no field
    does, the column is unique (a rule masking some fields could make two values
    one), or the rule would not fit."""
    if not column.type.is_composite or not column.type.fields:
        return None
    if column.name in table.unique_columns():
        return None
    by_field = field_values(column, values)
    kind = Table(
        oid=0,
        schema=table.schema,
        name=column.type.base,
        kind="r",
        parent=None,
        estimated_rows=table.estimated_rows,
        total_bytes=0,
    )
    for num, (name, field_type) in enumerate(column.type.fields, start=1):
        kind.columns[name] = Column(name, num, field_type, False, False, "")
    rules: dict[str, Any] = {}
    why: list[str] = []
    for name, field in kind.columns.items():
        found = classify(kind, field, by_field[name], strategies, is_key=False)
        if found.masked:
            rules[name] = found.nested_rule
        why += [f"{name}: {reason}" for reason in found.why if found.masked or "REVIEW" in reason]
    if not rules:
        return None
    params = {"fields": rules}
    if not fits(strategies[STRATEGY], params, column_context(table, column, unique=False)):
        return None
    kept = [name for name in kind.columns if name not in rules]
    if kept:
        why.append(f"fields {', '.join(kept)} kept" if len(kept) > 1 else f"field {kept[0]} kept")
    return ColumnProposal(column.name, STRATEGY, params, kind="composite", why=why)
