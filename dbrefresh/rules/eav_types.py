"""Answers of a key/value table read by the type their question declares.

pretix's pretixbase_questionanswer(question_id, answer) keeps every answer to every
question of a ticket shop in one text column, and pretixbase_question(id, question,
type, identifier) says what each question asks for: 'TEL' a phone number, 'CC' a
country, 'B' a boolean, 'C' a choice, 'D' a date. Judged as one column, a quarter of
phone numbers made every answer lorem: 'AT' became 'di', 'False' 'speci', the T-shirt
size 'XL' a word, so the shop no longer read its own answers. When the table of fields
has a type column, the declared type decides what the names and samples alone might
get wrong: choices, booleans, numbers and countries are kept (what the application
offered, not what a person wrote), phone numbers and email addresses get `phone` and
`email`, ISO dates `date_shift` (`text: true`), and free text the judged rule or,
judged not personal, `lorem`: typed by the person, it may say anything about them.
Other types (files, times, URLs) keep the judged rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Table
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sampled_rows

# Columns of a table of fields declaring each field's type (pretix's `type`, pretalx's
# `variant`, Moodle's `datatype`)
TYPE_COLUMNS = ("type", "datatype", "data_type", "field_type", "question_type", "variant")
KEEP = "keep"
# Declared types, lowercased, by what their answers hold
KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("c", "m", "choice", "choices", "multiple_choice", "select", "multiselect", "menu"),
        KEEP,
    ),
    **dict.fromkeys(("radio", "dropdown", "checkbox", "checkboxes"), KEEP),
    **dict.fromkeys(("b", "bool", "boolean"), KEEP),
    **dict.fromkeys(("n", "number", "numeric", "integer", "int", "decimal", "float"), KEEP),
    **dict.fromkeys(("cc", "country", "country_code"), KEEP),
    **dict.fromkeys(("tel", "phone", "phone_number", "telephone"), "phone"),
    **dict.fromkeys(("email", "e-mail", "mail"), "email"),
    **dict.fromkeys(("d", "date"), "date"),
    **dict.fromkeys(("s", "t", "string", "text", "textarea", "long_text", "paragraph"), "text"),
}
MAX_FIELDS = 1_000
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def type_column(fields: Table) -> str | None:
    """The text column of a table of fields that declares each field's type."""
    for name in TYPE_COLUMNS:
        column = fields.columns.get(name)
        if column is not None and column.type.category == "S" and not column.type.is_array:
            return name
    return None


def field_types(
    conn: psycopg.Connection[Any], named_by: tuple[Table, str, str]
) -> tuple[str, dict[str, str]]:
    """The type column and, per field id, the type it declares (empty without one)."""
    fields, _, ident = named_by
    column = type_column(fields)
    if column is None:
        return "", {}
    query = sql.SQL("SELECT {i}::text, {c}::text FROM ONLY {f} ORDER BY 1 LIMIT {n}").format(
        i=sql.Identifier(ident),
        c=sql.Identifier(column),
        f=sql.Identifier(fields.schema, fields.name),
        n=sql.Literal(MAX_FIELDS),
    )
    types = {str(k): str(t) for k, t in sampled_rows(conn, query) if k is not None and t}
    return column, types


def label_text(label: str) -> str:
    """A field's label as words: pretix's '{"en": "Phone"}' is 'Phone'."""
    if not label.startswith("{"):
        return label
    try:
        parsed = json.loads(label)
    except ValueError:
        return label
    if not isinstance(parsed, dict):
        return label
    texts = [v for k, v in sorted(parsed.items(), key=lambda kv: kv[0] != "en") if v]
    return next((t for t in texts if isinstance(t, str)), label)


def typed_case(
    declared: str, judged: ColumnProposal, values: Sequence[str], strategies: Any
) -> ColumnProposal | None:
    """The rule a field's declared type gives its answers, when it decides (None: the
    judged rule stands)."""
    kind = KINDS.get(declared.strip().lower())
    why = f"declared type {declared!r}"
    column = judged.column
    if kind == KEEP:
        return ColumnProposal(
            column, "keep", why=[f"{why}: a choice, flag, number or country, kept"]
        )
    if kind in {"phone", "email"} and kind in strategies:
        return ColumnProposal(column, kind, kind=kind, why=[f"{why}: {kind}s"])
    dates = bool(values) and all(_ISO_DATE.match(v) for v in values)
    if kind == "date" and dates and not judged.masked and "date_shift" in strategies:
        params = {"text": True, "max_days": 365}
        return ColumnProposal(column, "date_shift", params, kind="date", why=[f"{why}: dates"])
    if kind == "text" and not judged.masked and "lorem" in strategies:
        return ColumnProposal(
            column, "lorem", kind="free_text", why=[f"{why}: free text a person typed"]
        )
    return None
