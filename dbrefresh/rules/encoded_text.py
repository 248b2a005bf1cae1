"""Text the database cannot read as text, in `rules init`: UTF-8 kept in bytea.

Ory Kratos keeps each message's template data as UTF-8 JSON in bytea
(courier_messages.template_data: the recipient's email, name and phone, a verification
code and URL), and the column was kept with no note while `recipient` and `body` beside
it were masked. The decoded sample is judged as a text column's would be (by the caller's
`judge`, propose_column on a text twin of the column). UTF-8 JSON documents get `jsonb`
path by path (json_bytes.py); no strategy masks other text inside bytea, so a value found
personal is replaced whole: an empty JSON object for documents that `jsonb` cannot take,
else NULL or empty text; the note says what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import bytea_values, json_bytes, json_text
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import ColumnType, Strategy

TEXT = ColumnType("text", "text", "S")
MAX_PATHS = 8  # named in the note
MIN_BINARY = 3  # binary values holding an address, before the column is replaced
BINARY_SHARE = 0.1  # ...and this share of the sampled ones
Judge = Callable[[Column, Sequence[str]], ColumnProposal]


def bytea_proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    judge: Judge,
) -> ColumnProposal | None:
    """The rule for a bytea column whose sampled values are UTF-8 text: judged as text,
    replaced whole when that finds anything personal, else None (kept as before)."""
    if column.type.base != "bytea" or column.type.is_array:
        return None

    def rest(others: Sequence[str]) -> ColumnProposal | None:
        return bytea_proposal(table, column, others, strategies, judge)

    if documents := json_bytes.proposal(table, column, values, strategies, judge, rest):
        return documents  # UTF-8 JSON documents, masked path by path
    if (texts := bytea_values.decoded(values)) is None:
        return _binary(table, column, values, strategies)
    as_text = judge(replace(column, type=TEXT), texts)
    held = "JSON documents" if json_text.json_documents(texts) is not None else "text"
    what = f"its sampled values are UTF-8 {held} kept as bytea"
    if not as_text.masked:
        notes = [f"{what}: {w}" for w in as_text.why if w.startswith("REVIEW")]
        return ColumnProposal(column.name, why=notes) if notes else None
    found = found_in(as_text)
    unique = column.name in table.unique_columns()
    ctx = column_context(table, column, unique=unique)
    if fits(strategies[as_text.strategy], as_text.params, ctx):  # a token's `hash`: bytes
        # an `xml` rule's notes name its elements (REVIEW); a token's `hash`: bytes
        why = [f"{what}, decoded", *as_text.why] if as_text.strategy == "xml" else []
        return replace(as_text, column=column.name, why=why or [f"{what}, decoded: {found}"])
    chosen = _replacement(table, column, texts, strategies, unique=unique, json=held != "text")
    return _replaced(
        column,
        chosen,
        f"{what}, decoded: {found}",
        "no strategy masks inside bytea: the whole value is {done}; a `sql` rule can write a "
        "masked copy (convert_from, then convert_to)",
        unique=unique,
    )


def _replaced(
    column: Column,
    chosen: tuple[str, dict[str, Any], str] | None,
    what: str,
    review: str,
    *,
    unique: bool,
) -> ColumnProposal:
    """The proposal replacing the whole value (`review` says how: its {done}), or a
    REVIEW note when no replacement fits."""
    if chosen is None:
        return ColumnProposal(column.name, why=[f"REVIEW: {what}; no strategy that hides it fits"])
    name, params, done = chosen
    return ColumnProposal(
        column.name,
        name,
        params,
        unique=unique,
        kind="document",
        why=[what, "REVIEW: " + review.format(done=done)],
    )


def _binary(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """Binary values holding email addresses in their bytes (pickled, packed), replaced
    whole: Airflow's pickled XCom values kept every address with no note."""
    held, read, different = bytea_values.binary_emails(values)
    if held < max(MIN_BINARY, BINARY_SHARE * read) or different < MIN_BINARY:
        return None  # one sender in every row ('noreply@...'): the system's, no one's
    what = (
        f"{held} of {read} sampled values are binary (pickled, packed) with email "
        f"addresses in them ({different} different)"
    )
    unique = column.name in table.unique_columns()
    chosen = _replacement(table, column, (), strategies, unique=unique, json=False)
    review = "no strategy masks inside binary values: the whole value is {done}"
    return _replaced(column, chosen, what, review, unique=unique)


def found_in(as_text: ColumnProposal) -> str:
    """What judging the decoded sample found: its personal paths, or its reasons."""
    if as_text.strategy == "jsonb":
        paths = list(as_text.params.get("paths", {}))
        more = f" and {len(paths) - MAX_PATHS} more" if len(paths) > MAX_PATHS else ""
        return "personal paths " + ", ".join(paths[:MAX_PATHS]) + more
    return "; ".join(w.removeprefix("REVIEW: ") for w in as_text.why) or as_text.strategy


def _replacement(
    table: Table,
    column: Column,
    texts: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
    *,
    unique: bool,
    json: bool,
) -> tuple[str, dict[str, Any], str] | None:
    """The kindest replacement that fits: '{}' (or '[]') for JSON documents, NULL or
    empty text for text, a digest of the bytes under a unique key."""
    ctx = column_context(table, column, unique=unique)
    options: list[tuple[str, dict[str, Any], str]] = []
    if not unique and json:
        arrays = all(t.lstrip().startswith("[") for t in texts if t.strip())
        empty = "[]" if arrays else "{}"
        options.append(("constant", {"value": empty}, f"replaced by {empty!r} (UTF-8)"))
    if not unique:
        options.append(("null", {}, "emptied (NULL)"))
        options.append(("constant", {"value": ""}, "emptied (no bytes)"))
    options.append(("hash", {}, "replaced by its keyed digest"))
    for name, params, done in options:
        if name in strategies and fits(strategies[name], params, ctx):
            return name, params, done
    return None
