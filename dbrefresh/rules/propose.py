"""Column proposals for `rules init`: what each column likely holds and how to mask it.

Pure logic over the catalog and sampled values (no I/O). A detected kind maps to
candidate strategies in order of realism; the first one the registry says fits the
column's type (and stays injective on a unique column) wins, so the proposal compiles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from pydantic import ValidationError

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import (
    client_names,
    display_names,
    epoch_dates,
    file_names,
    host_names,
    json_paths,
    json_text,
    message_ids,
    name_evidence,
    name_values,
    named_documents,
    personal_codes,
    phone_mixes,
    php_serialized,
    pii,
    pii_values,
    shaped_values,
    ssh_keys,
    text_mentions,
    url_names,
    yaml_text,
)
from dbrefresh.rules.candidates import (
    CANDIDATES,
    FALLBACK,
    KIND_CATEGORIES,
    TEXT_CATEGORIES,
    Candidate,
)
from dbrefresh.rules.compiled import PLACEHOLDER
from dbrefresh.rules.json_doubts import doubt_notes, json_warning
from dbrefresh.rules.proposal import ColumnProposal as ColumnProposal  # re-exported
from dbrefresh.rules.push_tokens import match_push_tokens
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.registry import get

# Value-only detections trusted on key columns (an order number can look like a phone);
# logins made of names and '@name:server' ids are a person's keys (Synapse's users.name).
KEY_VALUE_KINDS = frozenset({"email", "iban", "card", "national_id", "user_id", "username"})
SAMPLED_CATEGORIES = frozenset("S")
TEXT_SEARCH = "tsvector"
# Documents sampled as text for contact details (no strategy masks inside them), and
# so are composite values (category C: a row type such as an address).
DOCUMENT_TYPES = frozenset({"xml", "hstore"})
COMPOSITE = "C"


def is_document(col_type: ColumnType) -> bool:
    return not col_type.is_array and (
        col_type.base in DOCUMENT_TYPES or col_type.category == COMPOSITE
    )


def column_context(table: Table, column: Column, *, unique: bool) -> ColumnContext:
    return ColumnContext(
        table=table.qualified,
        column=column.name,
        type=column.type,
        nullable=not column.not_null,
        unique=unique,
        row_columns={c.name: c.type for c in table.columns.values()},
        distinct_columns=table.distinct_columns(),
    )


def fits(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> bool:
    """Whether the strategy with these parameters compiles for the column. A column-local
    strategy's answer is the same for every column of one type and nullability: it is
    worked out once (compiling every candidate for every column was 3.1 of 8.4 s of a
    rules init of 300 tables)."""
    raw_key = json.dumps(raw, sort_keys=True, default=str)
    if _column_local(strategy.name, raw_key):
        return _fits_local(strategy.name, raw_key, ctx.type, ctx.nullable, ctx.unique)
    return _fits(strategy, raw, ctx)


@cache
def _column_local(name: str, raw_json: str) -> bool:
    """Strategy.reads_only_its_column for these parameters (date_shift `by` reads
    another column); parameters that do not parse take the direct path, which says so."""
    strategy = get(name)
    try:
        return strategy.reads_only_its_column(strategy.parse_params(json.loads(raw_json)))
    except ValidationError:
        return False


@cache
def _fits_local(
    name: str, raw_json: str, col_type: ColumnType, nullable: bool, unique: bool
) -> bool:
    ctx = ColumnContext(
        table="", column=PLACEHOLDER, type=col_type, nullable=nullable, unique=unique
    )
    return _fits(get(name), json.loads(raw_json), ctx)


def _fits(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> bool:
    try:
        params = strategy.parse_params(dict(raw))
        if strategy.check(params, ctx):
            return False
        if ctx.unique and strategy.is_lossy_in(params, ctx):
            return False
        strategy.compile(params, ctx)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def shape(strategy: Strategy[Any], raw: Mapping[str, Any], ctx: ColumnContext) -> str:
    """The compiled SQL with the column abstracted (equal shapes mask alike).

    Nullability is set aside: a NULL guard changes the SQL, not the value a non-NULL
    key maps to, and foreign-key columns are often nullable where the key is not.
    """
    params = strategy.parse_params(dict(raw))
    placeholder = ColumnContext(**{**ctx.__dict__, "column": "\x00v", "nullable": True})
    return str(strategy.compile(params, placeholder).sql(dialect="postgres"))


def with_unique(strategy: Strategy[Any], raw: Mapping[str, Any], unique: bool) -> dict[str, Any]:
    """Strategies with their own `unique` switch (email) get it set on unique columns."""
    params = dict(raw)
    if unique and "unique" in strategy.params_model.model_fields:
        params["unique"] = True
    return params


def choose(
    kind: str, ctx: ColumnContext, strategies: Mapping[str, Strategy[Any]]
) -> Candidate | None:
    """The first candidate for the kind (then the fallbacks) that fits the column."""
    for name, raw in (*CANDIDATES.get(kind, ()), *FALLBACK, *_cut_to_fit(ctx)):
        strategy = strategies.get(name)
        if strategy is None:
            continue
        params = with_unique(strategy, raw, ctx.unique)
        if fits(strategy, params, ctx):
            return name, params
    return None


def _cut_to_fit(ctx: ColumnContext) -> tuple[Candidate, ...]:
    """A hash as long as a short text column allows (Saleor's jwt_token_key
    varchar(12)): lossy, so never on a unique column, but it hides the value."""
    if ctx.type.is_text and not ctx.type.is_array and ctx.type.length is not None:
        return (("hash", {"length": ctx.type.length}),)
    return ()


def kind_fits_type(kind: str, col_type: ColumnType) -> bool:
    return col_type.category in KIND_CATEGORIES.get(kind, TEXT_CATEGORIES)


def name_match(table: Table, column: Column) -> pii.NameMatch | None:
    """What the column's name suggests, if its type can hold it (a `vat numeric` is an
    amount, not a tax number)."""
    found = pii.match_name(column.name, table.qualified)
    if found is not None and found.text_only and column.type.category not in TEXT_CATEGORIES:
        return None
    return found


def detect(
    table: Table, column: Column, values: Sequence[str] | None, *, is_key: bool
) -> tuple[str | None, list[str]]:
    """The PII kind of a column (or None) and the reasons, from its name, type and values."""
    if column.generated or (is_key and column.type.category not in TEXT_CATEGORIES):
        return None, []  # recomputed, or a surrogate key (integer, uuid): never PII itself
    file = pii.match_file(column.name) if column.type.base == "bytea" else None
    if file is not None and not column.type.is_array:
        return file.kind, [file.reason]
    by_name = name_match(table, column)
    if by_name is not None and kind_fits_type(by_name.kind, column.type):
        programs = client_names.overrule(table.qualified, column.name, by_name, values)
        other = programs or name_values.overrule(by_name, values)
        if (
            other := other or display_names.overrule(table.qualified, column.name, by_name, values)
        ) is not None:
            return other  # programs, companies, logins or things named for a person's name
        why = [by_name.reason]
        evidence = pii_values.count_kind(values or (), by_name.kind)
        if evidence is not None:
            why.append(evidence.reason)
        elif (shaped := _shaped_otherwise(column, values, by_name.kind)) is not None:
            return shaped.kind, [f"{by_name.reason}, but {shaped.reason}"]
        elif (denied := name_evidence.denial(by_name.kind, values)) is not None:
            # the values may still be personal, of another kind: Magento's config key
            # trans_email/ident_general/name holds the owner's name, not an email
            kind, found = detect_by_values(column, values, is_key=is_key)
            named = None if is_key else name_evidence.display_name(column.name, values)
            if kind is None and named is not None:
                kind, found = "full_name", [named]
            if kind is not None:
                return kind, [f"{by_name.reason}, but {denied}", *found]
            return None, [f"REVIEW: {by_name.reason}, but {denied}: kept", *found]
        return by_name.kind, why
    return detect_by_values(column, values, is_key=is_key)


def detect_by_values(
    column: Column, values: Sequence[str] | None, *, is_key: bool
) -> tuple[str | None, list[str]]:
    """The PII kind of a column (or None) and the reasons, from its type and values."""
    if column.type.base in {"inet", "cidr"}:
        return "ip", [f"column type {column.type.base} holds IP addresses"]
    if column.type.base == TEXT_SEARCH:
        found = pii_values.match_vectors(values or ())
        return (found.kind, [found.reason]) if found else (None, [])
    if is_document(column.type):
        found = pii_values.match_documents(values or ())
        return (found.kind, [found.reason]) if found else (None, [])
    by_values = (pii_values.match_values(values) or match_push_tokens(values)) if values else None
    by_values = phone_mixes.refine(by_values, values)  # Cal.com's location: numbers or 'zoom'
    if (
        by_values is not None
        and (not is_key or by_values.kind in KEY_VALUE_KINDS)
        and kind_fits_type(by_values.kind, column.type)
    ):
        reason = by_values.reason
        if column.type.is_array:  # the sample holds the arrays' elements
            reason = reason.replace("sampled values", "sampled array elements", 1)
        return by_values.kind, [reason]
    if (
        values
        and column.type.category in TEXT_CATEGORIES
        and not column.type.is_array
        and not is_key
    ):
        return text_mentions.judge(values)  # people or contacts in a few rows
    return None, []


def _shaped_otherwise(
    column: Column, values: Sequence[str] | None, named: str
) -> pii_values.ValueMatch | None:
    """What the values unmistakably are when no value fits the kind the name says
    (from_address holding emails got `street`, and every sender a street address)."""
    found = shaped_values.otherwise(named, values)
    if found is not None and personal_codes.digits_alike(named, found.kind):
        return None  # a badge number '041203...' shaped like a phone number is a badge
    return found if found is not None and kind_fits_type(found.kind, column.type) else None


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
    for found in named_documents.judged(read.paths, table.qualified, column.name):
        as_date = found.kind == "birth_date" and found.dates  # else hidden as text
        # a coordinate stays a number (hash made {"lat": 52.52} a hex string)
        as_number = found.kind == "geo" and found.numbers
        as_ = "date" if as_date else "numeric" if as_number else "text"
        ctx = replace(path_context(document, as_), unique=document.unique)
        chosen = choose(found.kind, ctx, strategies)
        if chosen is None:
            continue
        name, params = chosen
        rule = {"strategy": name, **params, **({"as": as_} if as_ != "text" else {})}
        paths[found.path] = name if len(rule) == 1 else rule
        why.append(f"{found.path}: {found.reason}")
        if document.unique and name not in {n for n, _ in CANDIDATES.get(found.kind, ())}:
            why.append(f"{found.path}: no {found.kind} strategy is injective: {name} instead")
    paths, collapsed = json_paths.collapse_array_paths(paths, read.arrays)
    why += collapsed
    jsonb = strategies.get("jsonb")
    raw = {"paths": paths}
    if not paths or jsonb is None or not fits(jsonb, raw, document):
        return None
    why.append("REVIEW: paths found in a sample of documents; keys it did not meet are kept")
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
        paths.why += notes
        return paths
    kept = ColumnProposal(column.name, why=notes)
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
    if note := documents.note_for(proposal.masked, nullable=not column.not_null, unique=unique):
        proposal.why.append(note)
    held = "its sampled values are JSON documents"
    if proposal.masked:
        proposal.why.insert(0, f"{held}: masked path by path")
    elif (by_name := pii.match_name(column.name, table.qualified)) is not None:
        proposal.why.append(
            f"REVIEW: {by_name.reason}, but {held} in which no path looks personal: kept"
        )
    return proposal


def sampled_columns(table: Table) -> list[str]:
    """Columns worth sampling: text and arrays of text (for value detectors), JSON (for
    its paths), text-search vectors (their words), XML or hstore documents and
    composite values."""
    return [
        c.name
        for c in table.columns.values()
        if not c.generated
        and (
            c.type.category in SAMPLED_CATEGORIES
            or c.type.is_json
            or (not c.type.is_array and c.type.base == TEXT_SEARCH)
            or is_document(c.type)
        )
    ]


def _named_but_unfit(table: Table, column: Column, is_key: bool) -> str | None:
    """A note for a column named like personal data in a type no such strategy fits
    (birth_year as an integer): kept, but worth a look."""
    if is_key or column.generated:
        return None
    by_name = name_match(table, column)
    if by_name is None or kind_fits_type(by_name.kind, column.type):
        return None
    return f"REVIEW: {by_name.reason}, but it is {column.type.sql}: kept"


def propose_column(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    *,
    is_key: bool,
) -> ColumnProposal:
    """The rule for one column, before foreign keys are reconciled."""
    if (
        column.type.is_text
        and not (is_key or column.generated or column.name in table.partition_key)
        and (read := json_text.json_documents(values)) is not None
    ):
        return json_text_rule(table, column, values, read, strategies)
    if not (is_key or column.generated) and (yml := yaml_text.proposal(table, column, values)):
        return yml  # Rails' serialized stores ('--- !ruby/hash:...'): key by key
    proposal = ColumnProposal(column.name)
    unique = column.name in table.unique_columns()
    if not is_key and (keys := ssh_keys.proposal(column, values, unique=unique)) is not None:
        return keys  # 'ssh-ed25519 AAAA... alice@laptop': only the comment is personal
    ids = None if is_key else message_ids.proposal(column, values, unique=unique)
    if ids and fits(strategies["hash"], ids.params, column_context(table, column, unique=unique)):
        return ids  # '<CAF=abc@mail.gmail.com>': threads join on it, keep it distinct
    files = None if is_key else file_names.proposal(column, values, unique=unique)
    if files and fits(strategies["file_name"], {}, column_context(table, column, unique=unique)):
        return files  # 'uploads/<uuid>/passport-vincent-schwital.pdf': the path stays one
    if not is_key and (hosts := host_names.proposal(column, values, unique=unique)):
        return hosts  # '49-151-205-48.dsl.telekom.example': the client's address
    kind, why = detect(table, column, values, is_key=is_key)
    if kind is not None and column.type.is_json:
        documents = documents_rule(table, column, values, strategies)
        if documents.masked:  # Cal.com's Credential.key {"access_token": ...}: its paths
            return replace(documents, why=[*why, *documents.why])
    if kind in {None, "free_text"} and (
        url := url_names.proposal(table, column, values, unique=unique)
    ):
        return url  # '...?email=ann@mail.example&firstname=Ann': only the parameters' values
    if kind is None:
        proposal.why += why  # a name the values deny, noted
        if column.type.is_json:
            documents = documents_rule(table, column, values, strategies)
            if documents.masked:
                return documents
            proposal.why += documents.why
        if column.type.base == TEXT_SEARCH:
            proposal.why.append(
                "REVIEW: a text-search vector holds the words of the text it indexes; "
                "keep it only if that text holds no personal data"
            )
        elif column.type.category == COMPOSITE and not column.type.is_array:
            proposal.why.append(
                f"REVIEW: a value of type {column.type.sql} is kept whole (no strategy "
                "masks its fields); `null` hides it"
            )
        elif (named := _named_but_unfit(table, column, is_key)) is not None:
            proposal.why.append(named)
        return proposal
    if column.name in table.partition_key:
        proposal.why = [
            *why,
            "REVIEW: it is the partition key, which masking cannot change (rows cannot "
            "move between partitions): kept",
        ]
        return proposal
    proposal.kind = kind
    ctx = column_context(table, column, unique=unique)
    chosen = choose(kind, ctx, strategies)
    if chosen is None:
        reason = f"no masking strategy fits {column.type.sql}"
        if unique and choose(kind, replace(ctx, unique=False), strategies) is not None:
            reason = (
                f"it is {table.uniqueness_of(column.name)}, and no strategy that keeps it "
                f"unique fits {column.type.sql}: kept"
            )
        proposal.why = [*why, f"REVIEW: {reason}"]
        return proposal
    proposal.strategy, proposal.params = chosen[0], dict(chosen[1])
    proposal.unique = unique
    proposal.why = why
    if chosen[0] == "postcode" and (digits := pii_values.digit_postcodes(values or ())):
        # the dictionary mixes countries' formats: 'SW1A 1AA' in a field checked for 5 digits
        proposal.strategy, proposal.params = "digits", {}
        proposal.why.append(f"{digits}: digits keeps their format")
    if kind == "text_search":
        proposal.why.append("no strategy rebuilds it from masked words: rebuild it in staging")
    if kind == "document":
        rebuild = "" if column.type.category == COMPOSITE else "; a `sql` rule can rebuild it"
        proposal.why.append(
            f"REVIEW: no strategy masks inside {column.type.sql}: the whole value is "
            f"emptied{rebuild}"
        )
    if chosen[0] not in {name for name, _ in CANDIDATES.get(kind, ())}:
        sql_type = column.type.sql
        fitting = f"keeps a unique {sql_type} column unique" if unique else f"fits {sql_type}"
        proposal.why.append(f"no {kind} strategy {fitting}: {chosen[0]} instead")
    if kind == "birth_date" and column.type.is_text and _text_dates(values):
        shift = {**dict(CANDIDATES[kind][0][1]), "text": True}
        if not unique and fits(strategies["date_shift"], shift, ctx):
            proposal.strategy, proposal.params = "date_shift", shift
            proposal.why = [*why, "its sampled values are ISO dates kept as text: shifted"]
    if column.type.is_text:
        epoch_dates.as_epoch(proposal, values, unique=unique)
    return proposal


def _text_dates(values: Sequence[str] | None) -> bool:
    """ISO dates kept as text (Keycloak's user_attribute 'birthdate', Redmine's date
    custom fields): masked as text, they are no dates any more."""
    sample = [v.strip() for v in values or () if v.strip()]
    return bool(sample) and json_paths.all_dates(sample)
