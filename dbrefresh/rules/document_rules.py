"""JSON documents in a column, judged path by path for `rules init`.

A json/jsonb column (or JSON kept in text) gets a `jsonb` rule masking the paths whose
sampled values look personal, each with the strategy its kind calls for (injective on
a path a unique key reads); what the sample could not read earns a REVIEW note. Pure
logic over sampled documents; propose.py hands columns of documents here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import (
    address_layouts,
    channel_targets,
    json_in_strings,
    json_key_paths,
    json_paths,
    json_text,
    mail_lists,
    mixed_documents,
    named_documents,
    php_serialized,
    pii,
)
from dbrefresh.rules.fitting import choose, column_context, fits, of_kind
from dbrefresh.rules.json_doubts import doubt_notes, json_warning
from dbrefresh.rules.proposal import SAMPLED_PATHS, ColumnProposal
from dbrefresh.rules.query_texts import query_rule
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb import path_context


def json_rule(
    table: Table,
    column: Column,
    read: json_paths.Documents,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """A jsonb rule masking the paths of the sampled documents that look personal, or
    None (nothing found, or no rule that compiles for the column)."""
    paths: dict[str, Any] = {}
    why: list[str] = []
    # a unique column's paths are masked injectively, or its documents would collide
    document = column_context(table, column, unique=column.name in table.unique_columns())
    keys = json_key_paths.key_paths(table, column.name) if document.unique else None
    plain, encoded = json_in_strings.split(read.paths)  # Mattermost's customStatus
    for path, strings in sorted(encoded.items()):
        inner = json_rule(table, column, json_paths.read_documents(strings), strategies)
        if inner is not None:
            paths[path], said = json_in_strings.nested(path, inner.params["paths"], inner.why)
            why += said
    for found in named_documents.judged(plain, table.qualified, column.name, read.factors):
        as_date = found.kind == "birth_date" and found.dates  # else hidden as text
        # a coordinate stays a number (hash made {"lat": 52.52} a hex string)
        as_number = found.kind == "geo" and found.numbers
        as_ = "date" if as_date else "numeric" if as_number else "text"
        unique = document.unique and (keys is None or json_key_paths.touches([found.path], keys))
        ctx = replace(path_context(document, as_), unique=unique)
        chosen = choose(found.kind, ctx, strategies, found.rules)
        if found.kind == "free_text" and (
            query := query_rule(plain.get(found.path, ()), found.path)
        ):
            within = {"within": True, **({"unique": True} if ctx.unique else {})}
            chosen, found = ("email", within), replace(found, reason=query)
        if chosen is None:
            continue
        name, params = chosen
        if name in channel_targets.REPLACED and (
            channels := channel_targets.forms_rule(
                plain.get(found.path, ()), {**params, **({"unique": True} if unique else {})}
            )
        ):  # Superset's report target: an address list, or '#sales-reports'
            (name, params), found = ("forms", channels[0]), replace(found, reason=channels[1])
        rule = {"strategy": name, **params, **({"as": as_} if as_ != "text" else {})}
        layout = address_layouts.propose(plain.get(found.path, ())) if name == "street" else None
        if layout is not None and as_ == "text":  # a whole address: its lines kept
            name, rule = "template", {"strategy": "template", "template": layout.template}
            why.append(f"{found.path}: {layout.note}")
        # Grafana's alert `addresses` 'a@x;b@y': without `lists` one address
        if (
            name == "email"
            and as_ == "text"
            and (lists := mail_lists.count_lists(plain.get(found.path, ())))
        ):
            rule["lists"] = True
            why.append(f"{found.path}: {lists} sampled values are address lists: each masked")
        paths[found.path] = name if len(rule) == 1 else rule
        why.append(f"{found.path}: {found.reason}")
        if unique and name not in {n for n, _ in (*found.rules, *of_kind(found.kind))}:
            why.append(f"{found.path}: no {found.kind} strategy is injective: {name} instead")
    paths, collapsed = json_paths.collapse_array_paths(paths, read.arrays)
    why += collapsed
    if keys is not None and not json_key_paths.touches(paths, keys):
        document = replace(document, unique=False)  # UNIQUE ((data->>'id')), id kept
    jsonb = strategies.get("jsonb")
    raw = {"paths": paths}
    if not paths or jsonb is None or not fits(jsonb, raw, document):
        return None
    why.append(SAMPLED_PATHS)
    return ColumnProposal(column.name, "jsonb", raw, kind="json", why=why)


def documents_rule(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """A jsonb rule for a column of JSON documents, or `keep` with what the sample saw
    (documents too long to read, keys named `*`, contact details in no path)."""
    read = json_paths.read_documents(values or ())
    notes = json_paths.unread_notes(read, table.qualified, json_paths.MAX_JSON_CHARS)
    notes += doubt_notes(read.paths, table.qualified)
    if (paths := json_rule(table, column, read, strategies)) is not None:
        masked = tuple(f"REVIEW: {p}: " for p in paths.params["paths"])  # no "kept" there
        paths.why += [n for n in notes if not n.startswith(masked)]
        paths.documents = read
        return paths
    kept = ColumnProposal(column.name, why=notes, documents=read)
    if note := json_warning(values):
        kept.why.append(note)
    return kept


def json_text_rule(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    documents: json_text.TextDocuments,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """JSON documents in a text column: masked path by path like a json column's, never
    emptied whole (`lorem` on a column the application parses broke it)."""
    proposal = documents_rule(table, column, values, strategies)
    unique = column.name in table.unique_columns()
    if documents.serialized and not proposal.masked and not unique:
        sampled = documents.documents + documents.strays
        return php_serialized.proposal(column, documents.serialized, sampled, proposal.why)
    others = proposal.masked and mixed_documents.others_rule(
        table,
        column,
        documents,
        values or (),
        proposal.params["paths"],
        strategies,
        lambda php: json_rule(table, column, json_paths.read_documents(php), strategies),
    )
    if others:  # Moodle's PHP-serialised rows, Sentry's compressed events: not NULL
        proposal.params["others"], said = others
        proposal.why.append(said)
    elif note := documents.note_for(proposal.masked, nullable=not column.not_null, unique=unique):
        proposal.why.append(note)
    held = "its sampled values are JSON documents"
    if proposal.masked:
        proposal.why.insert(0, f"{held}: masked path by path")
    elif (by_name := pii.match_name(column.name, table.qualified)) is not None:
        proposal.why.append(
            f"REVIEW: {by_name.reason}, but {held} in which no path looks personal: kept"
        )
    return proposal
