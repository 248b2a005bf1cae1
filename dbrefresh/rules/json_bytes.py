"""UTF-8 JSON kept in bytea, in `rules init`: `jsonb` path by path, the other rows apart.

Camunda's act_ge_bytearray.bytes_ holds JSON process variables ({"firstName": ...,
"address": {...}}) beside serialized Java objects (0xACED...), text and BPMN deployment
XML; Axon's domain_event_entry.payload JSON events beside XStream XML; Kratos'
courier_messages.template_data JSON alone. Judged as one column, a personal value
anywhere emptied every row: NULL, no bytes or '{}', the BPMN deployments with them. When
enough of the sample (JSON_SHARE) is UTF-8 JSON documents, the documents are judged as
a JSON text column's (the same key classifier, so the same paths and strategies), and
the other values alone by the bytea rules as before (`rest`): what those would do to
the whole column is done to them only, as jsonb's `others` (`keep` when they hold
nothing the rules find). The note says what the sample held.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import bytea_values, json_text
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import ColumnType, Strategy

TEXT = ColumnType("text", "text", "S")
JSON_SHARE = 1 / 3  # of the non-empty sampled values, for the documents to be masked apart
MIN_DOCUMENTS = 3
JAVA_SERIALIZED = b"\xac\xed"  # java.io.ObjectOutputStream's magic
SAID = "its sampled values are JSON documents"  # the judge's note, said here with counts
Judge = Callable[[Column, Sequence[str]], ColumnProposal]
Rest = Callable[[Sequence[str]], ColumnProposal | None]


def _document(head: bytes, tail: bytes | None) -> str | None:
    """The UTF-8 JSON object or array the sampled bytes are (read whole, or cut at the
    sample's limit), else None."""
    if tail is not None or (text := bytea_values.utf8_text(head, None)) is None:
        return None
    if json_text.is_container(text) or json_text.is_cut_off(text):
        return text
    return None


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    judge: Judge,
    rest: Rest,
) -> ColumnProposal | None:
    """`jsonb` with the documents' personal paths and the others' rule as `others`, or
    None: too few documents, nothing personal in them, or no such rule fits."""
    read = [(v, r) for v in values or () if (r := bytea_values.raw(v)) and (r[0] or r[1])]
    documents: list[str] = []
    others: list[tuple[str, bytes, bytes | None]] = []
    for value, (head, tail) in read:
        if (text := _document(head, tail)) is not None:
            documents.append(text)
        else:
            others.append((value, head, tail))
    if len(documents) < max(MIN_DOCUMENTS, JSON_SHARE * len(read)):
        return None
    as_json = judge(replace(column, type=TEXT), documents)
    if as_json.strategy != "jsonb" or "others" in as_json.params:
        return None  # nothing personal in the documents: the column is judged as before
    params = dict(as_json.params)
    held = f"{len(documents)} of {len(read)} sampled values are UTF-8 JSON documents"
    why = [f"{held} kept as bytea: masked path by path, written back as UTF-8"]
    if others:
        other_rule, notes = _others(rest([v for v, _, _ in others]), _described(others))
        params["others"] = other_rule
        why += notes
    unique = column.name in table.unique_columns()
    if not fits(strategies["jsonb"], params, column_context(table, column, unique=unique)):
        return None
    return replace(
        as_json,
        column=column.name,
        params=params,
        unique=unique,
        why=why + [w for w in as_json.why if not w.startswith(SAID)],
    )


def _others(judged: ColumnProposal | None, described: str) -> tuple[Any, list[str]]:
    """The `others` rule (what the bytea rules propose for the other values alone) and
    the note saying why."""
    if judged is None or not judged.masked:
        found = [w for w in (judged.why if judged else []) if w.startswith("REVIEW")]
        kept = f"REVIEW: the other {described}: kept (others: keep), nothing personal found"
        return "keep", [kept + (f" ({'; '.join(found)})" if found else "")]
    rule = judged.nested_rule
    reasons = "; ".join(w.removeprefix("REVIEW: ") for w in judged.why)
    note = f"REVIEW: the other {described}, judged alone: {reasons}"
    if "starting with '<'" in described:  # Camunda's BPMN deployments beside the objects
        note += (
            "; the markup among them goes with the rest: a `switch` on a column that tells "
            "it apart (a type or name) can keep it"
        )
    return rule, [note]


def _described(others: Sequence[tuple[str, bytes, bytes | None]]) -> str:
    """What the values that are no JSON document are: binary (Java-serialized), text
    (starting with '<': markup, XML)."""
    binary = java = text = markup = 0
    for _, head, tail in others:
        decoded = bytea_values.utf8_text(head, tail)
        if decoded is None:
            binary += 1
            java += head.startswith(JAVA_SERIALIZED)
        else:
            text += 1
            markup += decoded.lstrip().startswith("<")
    parts = []
    if binary:
        serialized = f", {java} of them serialized Java objects (0xACED)" if java else ""
        parts.append(f"{binary} binary{serialized}")
    if text:
        starting = f", {markup} of them starting with '<' (markup, XML)" if markup else ""
        parts.append(f"{text} UTF-8 text{starting}")
    return f"{len(others)} sampled values ({'; '.join(parts)})"
