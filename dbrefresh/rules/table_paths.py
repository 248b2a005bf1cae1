"""`rules init`: key paths of a JSON column across the whole table, not only its sample.

A column's `jsonb` paths came from the documents of its sample (about 1,000 rows), so a
key rare in the table never got a rule: Apache Fineract's m_portfolio_command_source
.command_as_json holds thousands of loan repayments and a few CREATE USER and CREATE
STAFF payloads, whose `username`, `firstname`, `lastname` and `mobileNo` survived, and
DHIS2's event.eventdatavalues, keyed by data element, kept the `storedBy` (a login) of
an element met in 3 of 3,000 events; verify found nothing, as it checks rule paths.

One query per JSON column groups the documents by shape (keys and value types, by two
jsonpath calls in C) and walks one document of each (a recursive jsonb key walk,
DISTINCT paths of strings and numbers, array positions as `*`): walking every row cost
10 to 15 s for 100,000, by shape 2 to 4 s. It is bounded in depth, shapes, distinct
paths, rows read (TABLESAMPLE past rare_values.MAX_ROWS) and time; a text column's rows only where
they look like JSON (IS JSON as well, on PostgreSQL 16+). A path no sampled path or
rule path covers is judged on its values, read by a second query, as a sampled path is
(rare_values.py: 'E-mail address' under form_labels.email is a label, kept), and by the
name of its key (username as a login column's, firstname, mobileNo, email, password:
pii.match_name) only when its values could not be read. At a level
keyed by codes (json_field_ids.levels), a sub-key masked alike under two or more codes
becomes one `*` path (`*.storedBy`), which a rare code's path joins, and a sampled one
kept on fewer than MIN_VALUES values too; a code's value at a level keyed by field
definitions is judged by its field instead (json_field_ids.py).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import json_field_ids, json_key_paths, pii, rare_values
from dbrefresh.rules.fitting import choose, column_context, fits
from dbrefresh.rules.json_paths import MAX_DEPTH, Documents
from dbrefresh.rules.proposal import SAMPLED_PATHS, ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, PathSyntaxError, join_path, path_parts

# Values a sampled path kept must have shown to count against a `*` over its level
# (DHIS2's '<uid>.storedBy' of an element met in one sampled event, kept for want of
# evidence, while its siblings' were masked as copies of userinfo.username)
MIN_VALUES = 10
MAX_PATHS = 2_000  # distinct key paths read per column (free-form keys: the rest unread)
MAX_SHAPES = 20_000  # documents walked, one per shape (free-form keys: a shape a row)
# A document's shape: every object's keys, and every value's type, in document order
SHAPE_KEYS = 'strict $.** ? (@.type() == "object").keyvalue().key'
SHAPE_TYPES = "strict $.**.type()"
TIMEOUT_MS = 15_000  # per column; a walk cut short leaves the sample's paths and a note
# Key names that say too little alone, with no value to back them ('name' names
# anything in a document; 'long'/'lat' are also date formats)
_WEAK_KINDS = frozenset({"geo"})
_WEAK_KEYS = frozenset({"name"})
WALKED = (
    "REVIEW: paths found in a sample of documents and among the key paths of the whole "
    "table; keys added later are kept"
)

Parts = tuple[str, ...]


@dataclass(frozen=True)
class Walked:
    """The key paths of a column's documents across the table (arrays as `*`)."""

    paths: list[Parts]
    complete: bool  # False: more than MAX_PATHS distinct paths, the rest unread


def walk_query(table: Table, column: str, *, is_json: bool, pg16: bool) -> sql.Composed:
    """DISTINCT key paths of scalar strings and numbers in the column's documents: one
    document per shape (its keys and its values' types, in order, by jsonpath in C) is
    walked, as walking every node of every row cost 10 to 15 s for 100,000 rows."""
    return sql.SQL(
        "WITH RECURSIVE _dbr_w(p, v, d) AS ("
        " SELECT ARRAY[]::text[], {col}::jsonb, 0 FROM {only}{t} AS _dbr_t"
        " WHERE _dbr_t.ctid = ANY (ARRAY(SELECT min(c::text)::tid FROM"
        " (SELECT _dbr_s.ctid AS c, {s}::jsonb AS j {rows} OFFSET 0) AS _dbr_j"
        " GROUP BY jsonb_path_query_array(j, {keys}, '{{}}', true),"
        " jsonb_path_query_array(j, {types}, '{{}}', true) LIMIT {shapes}))"
        " UNION ALL SELECT _dbr_w.p || e.k, e.v, _dbr_w.d + 1 FROM _dbr_w CROSS JOIN LATERAL ("
        " SELECT o.k, o.v FROM jsonb_each(CASE WHEN jsonb_typeof(_dbr_w.v) = 'object'"
        " THEN _dbr_w.v END) AS o(k, v) WHERE o.k NOT IN ('', '*')"
        " UNION ALL SELECT '', a.v FROM jsonb_array_elements(CASE WHEN"
        " jsonb_typeof(_dbr_w.v) = 'array' THEN _dbr_w.v END) AS a(v)) AS e(k, v)"
        " WHERE _dbr_w.d < {depth})"
        " SELECT DISTINCT p FROM _dbr_w WHERE jsonb_typeof(v) IN ('string', 'number')"
        " AND d > 0 LIMIT {cap}"
    ).format(
        col=sql.Identifier("_dbr_t", column),
        s=sql.Identifier("_dbr_s", column),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        rows=rare_values.rows_of(table, column, is_json=is_json, pg16=pg16),
        keys=sql.Literal(SHAPE_KEYS),
        types=sql.Literal(SHAPE_TYPES),
        shapes=sql.Literal(MAX_SHAPES),
        depth=sql.Literal(MAX_DEPTH),
        cap=sql.Literal(MAX_PATHS + 1),
    )


def walk(conn: psycopg.Connection[Any], table: Table, column: str) -> Walked | None:
    """The column's key paths across the table, or None when the walk failed (a timeout,
    no right, a text row that is no JSON)."""
    is_json = table.columns[column].type.is_json
    query = walk_query(table, column, is_json=is_json, pg16=conn.info.server_version >= 160000)
    try:
        rows = sampled_rows(conn, query, TIMEOUT_MS)
    except psycopg.Error:
        return None
    paths = [tuple(WILDCARD if k == "" else k for k in row[0]) for row in rows]
    return Walked(sorted(paths)[:MAX_PATHS], len(paths) <= MAX_PATHS)


def _matches(pattern: Parts, path: Parts) -> bool:
    return len(pattern) == len(path) and all(
        a == b or WILDCARD in (a, b) for a, b in zip(pattern, path, strict=True)
    )


def _parts(path: str) -> Parts | None:
    try:
        return path_parts(path)
    except PathSyntaxError:
        return None


def sampled_patterns(read: Documents) -> dict[Parts, int]:
    """The sample's paths, array positions as `*` (where the path was met), with the
    number of values sampled there."""
    out: dict[Parts, int] = {}
    for path, values in (*read.paths.items(), *read.dotted.items()):
        parts = _parts(path)
        if parts is not None:
            arrays = read.arrays.get(path, frozenset())
            pattern = tuple(WILDCARD if i in arrays else p for i, p in enumerate(parts))
            out[pattern] = out.get(pattern, 0) + len(values)
    return out


def unmet(walked: Walked, seen: Sequence[Parts]) -> list[Parts]:
    """The table's key paths no sampled path or rule path covers."""
    return [p for p in walked.paths if not any(_matches(s, p) for s in seen)]


def _key(parts: Parts) -> str:
    keys = [p for p in parts if p != WILDCARD and not p.isdigit()]
    return keys[-1] if keys else ""


def sibling_rule(
    path: Parts, rules: Mapping[str, Any], kept: Sequence[Parts], codes: Collection[Parts]
) -> tuple[str, list[str]] | None:
    """`*` at a level of codes (json_field_ids.levels), when the rules mask the path's sub-key under
    sibling codes alike (`<uid>.storedBy`) and no sibling sampled on evidence keeps it:
    the `*` path and the rule paths it replaces."""
    for at in range(len(path) - 2, -1, -1):
        if path[:at] not in codes:
            continue  # keys that are words name what they hold ('client', 'guarantor')
        pattern = (*path[:at], WILDCARD, *path[at + 1 :])
        same = [r for r in rules if (p := _parts(r)) is not None and _matches(pattern, p)]
        values = {repr(rules[r]) for r in same}
        if _nested(pattern, {r: v for r, v in rules.items() if r not in same}):
            continue
        if same and len(values) == 1 and not any(_matches(pattern, k) for k in kept):
            return join_path(pattern), same
    return None


def _merged(rules: dict[str, Any], sibling: tuple[str, list[str]]) -> tuple[str, list[str]]:
    """The sibling paths' one rule moved to their `*` path (sibling_rule's pair, returned)."""
    wild, same = sibling
    rules[wild] = rules[same[0]]
    for old in same:
        del rules[old]
    return wild, same


def add_rare_paths(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: dict[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    keys: set[tuple[str, str]],
) -> None:
    """Rules for the key paths of JSON columns the sample did not meet (module doc)."""
    for name, columns in proposals.items():
        table = catalog.tables[name]
        for column, proposal in list(columns.items()):
            info = table.columns[column]
            if (
                proposal.documents is None
                or proposal.strategy not in {"keep", "jsonb"}
                or (name, column) in keys  # a key's documents are left alone (json_copies)
                or info.generated
                or column in table.partition_key
                or not (info.type.is_json or info.type.is_text)
            ):
                continue
            started = time.monotonic()
            walked = walk(conn, table, column)
            if walked is None:
                proposal.why.append(
                    "REVIEW: the key paths of the whole table could not be read (a timeout, "
                    "or a row that is no JSON): keys the sample did not meet are kept"
                )
                continue
            codes = json_field_ids.levels(walked.paths)
            fields = {
                level: named
                for level, keys in codes.items()
                if (named := json_field_ids.fields_of(conn, catalog, keys))
            }
            left = TIMEOUT_MS - int(1000 * (time.monotonic() - started))
            rare = _unmet_of(proposal, walked)
            values = rare_values.read(conn, table, column, rare, left) if left > 0 else None
            judged = (
                None if values is None else rare_values.judged(table, column, values, strategies)
            )
            found = _rare_rules(
                table, column, proposal, walked, strategies, (codes, fields), (values, judged)
            )
            if found is not None:
                columns[column] = proposal = found
            if not walked.complete:
                proposal.why.append(
                    f"REVIEW: more than {MAX_PATHS:,} distinct key paths across the table "
                    f"(keys that are ids or free-form): the first {MAX_PATHS:,} looked at"
                )


def _nested(parts: Parts, rules: Mapping[str, Any]) -> bool:
    """Whether a path lies inside or around one of the rules' paths."""
    for rule in rules:
        other = _parts(rule)
        if other is not None and len(other) != len(parts):
            short, long = sorted((other, parts), key=len)
            if _matches(short, long[: len(short)]):
                return True
    return False


def _met(parts: Parts, kept: Mapping[Parts, int]) -> str:
    if parts in kept:
        return f"met in {kept[parts]} sampled document(s) only"
    return "found outside the sample (a key path of the whole table)"


def _unmet_of(proposal: ColumnProposal, walked: Walked) -> list[Parts]:
    """The walk's paths neither the sample nor the proposal's rule paths cover."""
    assert proposal.documents is not None
    rules = proposal.params.get("paths", {}) if proposal.masked else {}
    ruled = [p for r in rules if (p := _parts(r)) is not None]
    return unmet(walked, [*sampled_patterns(proposal.documents), *ruled])


def _rare_rules(
    table: Table,
    column: str,
    proposal: ColumnProposal,
    walked: Walked,
    strategies: Mapping[str, Strategy[Any]],
    levels: tuple[Collection[Parts], Mapping[Parts, Mapping[str, json_field_ids.Field]]],
    read: tuple[Mapping[Parts, list[str]] | None, Mapping[Parts, tuple[Any, str]] | None] = (
        None,
        None,
    ),
) -> ColumnProposal | None:
    """The proposal with rules for the walk's unmet paths (None: nothing to add), given
    the levels keyed by codes and, of those, the ones keyed by field definitions, and
    the values read at unmet paths with the rules they earn (rare_values.py; None: not
    read, judged by key name)."""
    codes, fields = levels
    values, judged = read
    assert proposal.documents is not None
    rules: dict[str, Any] = dict(proposal.params.get("paths", {})) if proposal.masked else {}
    sampled = sampled_patterns(proposal.documents)
    ruled = [p for r in rules if (p := _parts(r)) is not None]
    on_values: list[str] = []  # unmet paths kept on their values, though their key names a kind
    kept = {s: n for s, n in sampled.items() if not any(_matches(r, s) for r in ruled)}
    # kept on the evidence of a few values: judged again beside their siblings
    thin = [s for s, n in kept.items() if n < MIN_VALUES]
    on_evidence = [s for s, n in kept.items() if n >= MIN_VALUES]
    why: list[str] = []
    document = column_context(table, table.columns[column], unique=column in table.unique_columns())
    unique_keys = json_key_paths.key_paths(table, column) if document.unique else None
    for parts in [*unmet(walked, [*sampled, *ruled]), *thin]:
        path = join_path(parts)
        if any(_matches(p, parts) for r in rules if (p := _parts(r)) is not None):
            continue  # covered by a `*` path added for an earlier one
        if _nested(parts, rules):
            continue  # inside or around a rule's path (`x` beside `x.*`): refused together
        unique = document.unique and (
            unique_keys is None or json_key_paths.touches([path], unique_keys)
        )
        field = json_field_ids.field_of(parts, fields)
        if json_field_ids.is_field_value(parts, fields):  # never by its siblings' rule
            if (
                field
                and not unique
                and (by_field := json_field_ids.judge(table, field, strategies))
            ):
                rules[path], reason = by_field
                why.append(f"{path}: {_met(parts, kept)}; {reason}")
        elif (sibling := sibling_rule(parts, rules, on_evidence, codes)) is not None:
            wild, same = _merged(rules, sibling)
            why.append(
                f"{wild}: {path} {_met(parts, kept)}, the same key as {', '.join(same[:4])}: "
                "masked alike under every key"
            )
        elif parts not in kept:  # (a sampled one was judged by its name and values)
            ctx = replace(path_context(document, "text"), unique=unique)
            by_name = _by_name(table, parts, ctx, strategies)
            if values is not None and judged is not None and values.get(parts):
                if parts in judged:  # as the sample's judgement would have it
                    rules[path], reason = judged[parts]
                    why.append(f"{path}: {_met(parts, kept)}, its values read: {reason}")
                elif by_name is not None:
                    on_values.append(path)  # 'E-mail address' under form_labels.email
            elif by_name is not None:
                rules[path], reason = by_name
                why.append(f"{path}: {_met(parts, kept)}: {reason}")
    why += _merge_siblings(rules, on_evidence, codes, fields)
    notes = [WALKED if w == SAMPLED_PATHS else w for w in proposal.why]
    if on_values:
        notes.append(
            "REVIEW: kept, found outside the sample, as their values are not what their key "
            f"names (labels, placeholders, settings): {', '.join(on_values[:10])}"
        )
    if not why:
        proposal.why = notes
        return None
    params = {**proposal.params, "paths": rules} if proposal.masked else {"paths": rules}
    jsonb = strategies.get("jsonb")
    if jsonb is None or not fits(jsonb, params, document):
        said = "; ".join(why)
        proposal.why.append(f"REVIEW: rules for paths outside the sample do not fit: {said}")
        return None
    notes += [] if proposal.masked else [WALKED]
    return replace(proposal, strategy="jsonb", params=params, kind="json", why=[*notes, *why])


def _merge_siblings(
    rules: dict[str, Any],
    kept: Sequence[Parts],
    codes: Collection[Parts],
    fields: Mapping[Parts, Mapping[str, json_field_ids.Field]],
) -> list[str]:
    """Rule paths masking one sub-key alike under two or more codes of a level become
    one `*` path, for the codes no document holds yet (a data element added later);
    a field's value stays with its field. Why, for each."""
    why = []
    for path in sorted(rules):
        parts = _parts(path)
        if path not in rules or parts is None or json_field_ids.is_field_value(parts, fields):
            continue
        found = sibling_rule(parts, rules, kept, codes)
        if found is None or len(found[1]) < 2:
            continue
        wild, same = _merged(rules, found)
        why.append(
            f"{wild}: masked alike under every sampled key of its level ({', '.join(same[:4])})"
            ": one path for every key, those no document holds yet too"
        )
    return why


def _by_name(
    table: Table, parts: Parts, ctx: ColumnContext, strategies: Mapping[str, Strategy[Any]]
) -> tuple[Any, str] | None:
    """The rule a path's key name calls for, and why (None: it names nothing)."""
    key = _key(parts)
    by_name = pii.match_name(key, table.qualified)
    if by_name is None or by_name.kind in _WEAK_KINDS or key.lower() in _WEAK_KEYS:
        return None
    chosen = choose(by_name.kind, ctx, strategies)
    if chosen is None:
        return None
    rule = chosen[0] if not chosen[1] else {"strategy": chosen[0], **chosen[1]}
    return rule, by_name.reason.replace("name suggests", "key suggests", 1)
