"""JSON documents in `rules init`: which paths of a sampled column hold personal data.

Each sampled document is walked into (dotted path, scalar) pairs the way the jsonb
strategy addresses them: object keys, and array positions as numbers ('phones.0'); a
key holding a dot quoted ('content."m.mentions".user_ids': jsonb_pathsyntax.py); a
level of keys that are ids, a list of [name, value] pairs or of {name, value} objects, as
a `*` (json_keys.py). A
path is proposed when its last key names a kind (pii.match_name) or its values pass a
value detector (pii_values.match_values), or what they mention does (people named in
lines of text: json_mentions.py), judged over the documents that have it.
Pure logic: the sample comes from rules/sample.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache, partial
from typing import Any

from dbrefresh.rules import (
    array_paths,
    attribute_names,
    device_names,
    email_digests,
    factor_objects,
    file_names,
    identity_documents,
    json_keys,
    json_mentions,
    json_selectors,
    name_evidence,
    password_shapes,
    pem_keys,
    pii,
    pii_values,
    placeholder_values,
    shaped_values,
    tracking_values,
)
from dbrefresh.strategies.jsonb_pathsyntax import (
    WILDCARD,
    field_name,
    field_segment,
    join_path,
    nameable,
    path_parts,
    selector_segment,
)

# Levels walked into; deeper values are counted in a REVIEW note. PostHog's activity log
# holds a feature flag's filters under `changes.*.after` (an address ten levels down),
# which a limit of 8 dropped without a word.
MAX_DEPTH = 16
MAX_PATHS = 500  # distinct paths looked at per column (documents with free-form keys)
# Characters of a JSON document the sample reads: walked by key, so it must parse (a
# longer one is cut, skipped and counted in a REVIEW note). Webhook payloads and audit
# row images pass 8 kB; 1,000 documents of 64 kB parse in about a second.
MAX_JSON_CHARS = 65_536
ALL = frozenset(range(MAX_DEPTH))


@dataclass(frozen=True)
class PathFinding:
    path: str
    kind: str
    reason: str
    dates: bool = False  # every sampled value is an ISO date (maskable `as: date`)
    numbers: bool = False  # every sampled value is a number (maskable `as: numeric`)
    # rules tried before the kind's candidates, as a column's detector gives them
    # (url_query, file_name, a handle's hash: json_path_rules.py)
    rules: tuple[tuple[str, Mapping[str, Any]], ...] = ()


def all_dates(values: Sequence[str]) -> bool:
    try:
        return all(date.fromisoformat(v) for v in values)
    except ValueError:
        return False


@dataclass
class Documents:
    """What a sample of documents holds: scalars by path, and what could not be read."""

    paths: dict[str, list[str]] = field(default_factory=dict)
    # paths through a key no path can name (one named exactly `*`)
    dotted: dict[str, list[str]] = field(default_factory=dict)
    # the segments of a path that are array positions (wherever the path was met)
    arrays: dict[str, frozenset[int]] = field(default_factory=dict)
    unreadable: int = 0  # documents that do not parse (cut off by the sample's limit)
    deep: int = 0  # documents holding values deeper than MAX_DEPTH (not looked into)
    total: int = 0
    # objects typed as second factors, read apart (json_credentials.py scopes by type)
    factors: factor_objects.FactorObjects = field(default_factory=factor_objects.FactorObjects)


def _all_numbers(values: Sequence[str]) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except ValueError:
        return False


# What the walk yields for a number or a flag among a field triple's old and new values:
# the `[name]` segment masks a field's values as strings (import statistics
# [["city", 148, 11], ...] became '[city]': city, their counts city names), so a field
# with one is given no path
_NOT_TEXT = "\x00not text"


@dataclass(frozen=True)
class _At:
    """Where the walk is: the path, its level's shape (json_keys.py), what it went through."""

    prefix: tuple[str, ...] = ()
    shape: tuple[str, ...] = ()
    depth: int = 0
    dotted: bool = False
    indexes: tuple[int, ...] = ()
    # in a list of pairs: the name of the pair whose value this is, "" for a name
    name: str | None = None

    def into(self, part: str, shape: str, *, dotted: bool = False, index: bool = False) -> _At:
        return _At(
            (*self.prefix, part),
            (*self.shape, shape),
            self.depth + 1,
            self.dotted or dotted,
            (*self.indexes, self.depth) if index else self.indexes,
        )


def _walk(
    value: Any, at: _At, ids: frozenset[tuple[str, ...]]
) -> Iterator[tuple[str, str | None, bool, tuple[int, ...], str | None]]:
    """(path, scalar, through a key no path can name, which segments are array positions,
    the pair's name for a pair's value); a key with a dot, a quote or a * is quoted in
    the path (Synapse's "m.mentions"), a level of ids and a list of pairs walked as a
    `*` (json_keys.py); no scalar (None) where the walk stops at MAX_DEPTH."""
    if at.depth >= MAX_DEPTH and isinstance(value, dict | list):
        if value:  # told to read_documents: a path not read is a path not masked
            yield join_path(at.prefix), None, at.dotted, at.indexes, None
        return
    if isinstance(value, dict):
        wild = at.shape in ids
        for key, item in value.items():
            if key and wild:
                yield from _walk(item, at.into(WILDCARD, WILDCARD), ids)
            elif key:  # a key named `*` cannot be named (a bare * is the wildcard)
                yield from _walk(item, at.into(key, key, dotted=not nameable(key)), ids)
    elif json_keys.is_pairs(value):
        for name, item in value:
            pair = at.into(WILDCARD, WILDCARD)
            yield from _walk(name, replace(pair.into("0", "0"), name=""), ids)
            yield from _walk(item, replace(pair.into("1", "1"), name=name), ids)
    elif json_keys.is_field_triples(value):
        for name, *values in value:
            field_at = at.into(field_segment(name), WILDCARD)
            for item in values:  # old and new, judged by the field's name
                if isinstance(item, str):
                    yield from _walk(item, field_at, ids)
                elif item is not None:  # a count: the field gets no path (_NOT_TEXT)
                    yield join_path(field_at.prefix), _NOT_TEXT, field_at.dotted, (), None
    elif (key := json_selectors.discriminated_key(value)) is not None:
        for item in value:
            yield from _walk_selected(item, key, at, ids)
    elif json_keys.is_named_pairs(value):
        for item in value:
            yield from _walk_named(item, at.into(WILDCARD, WILDCARD), ids)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, at.into(str(index), json_keys.ARRAY, index=True), ids)
    elif isinstance(value, str | int | float) and not isinstance(value, bool) and at.prefix:
        yield join_path(at.prefix), str(value), at.dotted, at.indexes, at.name


def _walk_named(
    item: dict[str, Any], at: _At, ids: frozenset[tuple[str, ...]]
) -> Iterator[tuple[str, str | None, bool, tuple[int, ...], str | None]]:
    """A {name, value} field object's keys: its name as a pair's name, its value as
    that name's value (json_keys.named_pair), any other key as a key."""
    found = json_keys.named_pair(item)
    assert found is not None
    name_key, name = found
    for key, inner in item.items():
        part = at.into(key, key, dotted=not nameable(key))
        if key == name_key:
            yield from _walk(inner, replace(part, name=""), ids)
        elif key == json_keys.FIELD_VALUE_KEY:
            yield from _walk(inner, replace(part, name=name), ids)
        elif key:
            yield from _walk(inner, part, ids)


def _walk_selected(
    item: dict[str, Any], key: str, at: _At, ids: frozenset[tuple[str, ...]]
) -> Iterator[tuple[str, str | None, bool, tuple[int, ...], str | None]]:
    """An object of a list told apart by `key` (json_selectors.py): its value (each
    element of a list of them) under `[key=discriminator].value`, its discriminator as a
    pair's name (judged by itself), any other key under `*` (ids, `use`)."""
    star = at.into(WILDCARD, WILDCARD)
    for name, inner in item.items():
        if name == json_selectors.VALUE_KEY:
            chosen = at.into(selector_segment(key, item[key]), WILDCARD).into(name, name)
            for scalar in inner if isinstance(inner, list) else [inner]:
                yield from _walk(scalar, chosen, ids)
        elif name == key:
            yield from _walk(inner, replace(star.into(name, name), name=""), ids)
        elif name:
            yield from _walk(inner, star.into(name, name, dotted=not nameable(name)), ids)


def read_documents(documents: Sequence[str]) -> Documents:
    """Every path holding a string or number in some document, with those values;
    paths through a key named `*` (no jsonb rule can name them) apart."""
    read = Documents()
    parsed = []
    for text in documents:
        read.total += 1
        try:
            parsed.append(json.loads(text))
        except ValueError:
            # cut off by the sample's limit; a shorter one is a stray in a text column
            # (a legacy row), which json_text counts, not a document too long to read
            read.unreadable += len(text) >= MAX_JSON_CHARS
    ids = json_keys.id_levels(parsed)
    read.factors = factor_objects.collect(parsed)
    not_text: set[str] = set()
    for doc in parsed:
        deep = False
        for path, value, dotted, indexes, name in _walk(doc, _At(), ids):
            if value is None:
                deep = True
                continue
            if value is _NOT_TEXT:
                not_text.add(path)
                continue
            found = read.dotted if dotted else read.paths
            if path in found or len(found) < MAX_PATHS:
                _add(found, path, value, name)
                # an array position in every document holding the path ('0' may be a key)
                known = read.arrays.get(path)
                read.arrays[path] = frozenset(indexes) & (known if known is not None else ALL)
        read.deep += deep
    for path in not_text:  # a field of numbers: [["city", 148, 11]] counts, no city
        read.paths.pop(path, None)
        read.dotted.pop(path, None)
        read.arrays.pop(path, None)
    json_selectors.fold_wide(read.paths, json_keys.PairValues)
    for path in read.paths.keys() - read.arrays.keys():
        read.arrays[path] = frozenset()  # a `*` the fold made
    return read


def _add(found: dict[str, list[str]], path: str, value: str, name: str | None) -> None:
    """A value met at a path; a pair's value with its name, a pair's name ("") as one."""
    values = found.get(path)
    if values is None:
        kind = list if name is None else json_keys.PairNames if not name else json_keys.PairValues
        values = found[path] = kind()
    if isinstance(values, json_keys.PairValues) and name:
        values.add(value, name)
    else:
        values.append(value)


def scalars_by_path(documents: Sequence[str]) -> dict[str, list[str]]:
    """The nameable paths of read_documents() (documents that do not parse are skipped)."""
    return read_documents(documents).paths


def _named_by(path: str) -> str:
    """The key that names a path's value ('phones.0' -> 'phones', '"m.mentions".0'
    -> 'm.mentions', 'changed.[email_id]' -> 'email_id')."""
    parts = [field_name(part) or part for part in path_parts(path)]
    keys = [part for part in parts if not part.isdigit() and part != WILDCARD]
    return keys[-1] if keys else ""


def find_paths(documents: Sequence[str], table: str) -> list[PathFinding]:
    """The paths that look personal, in path order, each with its kind and reason."""
    return judge_paths(read_documents(documents).paths, table)


def judge_paths(paths: dict[str, list[str]], table: str) -> list[PathFinding]:
    """The paths whose key names a kind or whose values pass a detector."""
    pairs = tracking_values.coordinate_arrays(paths)  # [52.52, 13.405]: both or neither
    found = (
        json_selectors.selected_finding(
            path, tuple(values), table, partial(_judged_as, table=table), PathFinding
        )
        if json_selectors.selected_name(path) is not None
        else json_keys.pair_finding(path, values, partial(_judged_as, table=table), PathFinding)
        if isinstance(values, json_keys.PairValues)
        else _by_values(path, values)
        if isinstance(values, json_keys.PairNames)
        else _judge_path(path, tuple(values), table, pairs.get(path))
        for path, values in sorted(paths.items())
    )
    findings = [f for f in found if f is not None]
    return json_selectors.sibling_ids(paths, findings, PathFinding)  # FHIR's MRN beside an SSN


def _by_values(path: str, values: Sequence[str]) -> PathFinding | None:
    """Pairs' names, judged by what they are alone (the list's key names their values)."""
    by_values = pii_values.match_values(values)
    if by_values is None:
        return None
    return PathFinding(path, by_values.kind, by_values.reason)


def _judged_as(path: str, values: tuple[str, ...], table: str) -> PathFinding | None:
    return _judge_path(path, values, table)


@lru_cache(maxsize=2 * MAX_PATHS)
def _judge_path(
    path: str, values: tuple[str, ...], table: str, pair: str | None = None
) -> PathFinding | None:
    """One path's finding, worked out once: a column's paths are judged again for its
    notes, and each detector reads every value. `pair`: why its array is a position."""
    if (pem := pem_keys.found(values))[1] is not None:  # Wiki.js's certs.private
        return PathFinding(path, pem[0], str(pem[1]))
    if tracked := tracking_values.path_finding(_named_by(path), values, pair):
        # a GPS string, [48.69, 7.43], a geohash, a BSSID
        return PathFinding(path, tracked[0], tracked[1], numbers=tracked[3], rules=tracked[2])
    if (digest := email_digests.rule(_named_by(path), values)) is not None:  # gravatar_id
        return PathFinding(path, email_digests.KIND, digest[1], rules=(("hash", digest[0]),))
    if (device := device_names.rule(values)) is not None:  # "Galina's iPhone"
        return PathFinding(path, device_names.KIND, device[1], rules=(("hash", device[0]),))
    if (document := identity_documents.json_key(_named_by(path), values)) is not None:
        rules = (("digits", identity_documents.JSON_RULE),)  # Fineract's documentKey
        return PathFinding(path, identity_documents.KIND, document, rules=rules)
    by_name = pii.match_name(_named_by(path), table)
    evidence = pii_values.count_kind(values, by_name.kind) if by_name else None
    if by_name is not None and _named_by(path).lower() == "name" and evidence is None:
        by_name = None  # 'name' in a document names anything: Mastodon's profile
        # fields {"name": "Twitter", "value": "@ann"} got full_name on their labels
    if by_name is not None and evidence is None:
        shaped = shaped_values.otherwise(by_name.kind, values)
        if shaped is not None:  # Zulip's from_address: emails, no street addresses
            reason = by_name.reason.replace("name suggests", "key suggests", 1)
            return PathFinding(
                path,
                shaped.kind,
                f"{reason}, but {shaped.reason}",
                all_dates(values),
                _all_numbers(values),
            )
    if by_name is not None and evidence is None and _denied(by_name.kind, values, path):
        # Mattermost's notifyprops {"email": "true", "comments": "never"}: kept, unless
        # the values are personal of another kind (Chatwoot's mail_subject, `email` by
        # its name, holds 'Order problem - Carl Ladeck'): judged as a nameless key's
        by_name = None
    if (hashes := password_shapes.reason(values)) is not None and (
        by_name is None or by_name.kind == "secret"
    ):  # NodeBB's {"password": "$2a$12$..."}: a bcrypt hash still
        rule = ("hash", password_shapes.PARAMS)
        named = by_name.reason.replace("name suggests", "key suggests", 1) if by_name else ""
        return PathFinding(path, "secret", ", ".join(filter(None, (named, hashes))), rules=(rule,))
    if by_name is not None:
        reason = by_name.reason.replace("name suggests", "key suggests", 1)
        reason += f", {evidence.reason}" if evidence else ""
        return PathFinding(path, by_name.kind, reason, all_dates(values), _all_numbers(values))
    by_values = pii_values.match_values(values)
    if by_values is not None:
        return PathFinding(
            path, by_values.kind, by_values.reason, all_dates(values), _all_numbers(values)
        )
    if (named_files := file_names.path_reason(values)) is not None:
        return PathFinding(path, "file_name", named_files)  # 'passport_anna_schmidt.pdf'
    kind, reasons = json_mentions.judge(values)  # people named in lines, as a column's
    if kind is None and (in_text := pem_keys.in_text_reason(values)) is not None:
        # an ingress's {"config": "ssl:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----..."}
        rule = (pem_keys.KIND, pem_keys.IN_TEXT)
        return PathFinding(path, pem_keys.KIND, f"{in_text}: {pem_keys.IN_PLACE}", rules=(rule,))
    return None if kind is None else PathFinding(path, kind, "; ".join(reasons))


# Few distinct single words: a setting's values ('never', 'root', 'default'), no text
MAX_SETTING_WORDS = 5
_SETTING = re.compile(r"[a-z][a-z_-]{0,19}")


def _denied(kind: str, values: Sequence[str], path: str) -> bool:
    """Values that cannot be the kind the key names, as for a column's (flags, a shaped
    kind none of them has the shape of), labels and placeholders (placeholder_values.py),
    or single words of a few settings where the key names free text: the application
    reads them, and masking them broke it."""
    if name_evidence.denial(kind, values) is not None:
        return True
    if placeholder_values.no_ones(kind, _named_by(path), values):
        return True  # {"form_labels": {"first_name": "First name"}}
    if attribute_names.names_fields(kind, values):
        return True  # {"mappingDisplayName": "displayName"}, {"senderName": "Wiki"}
    if kind == "geo" and not _all_numbers(values):
        return True  # a date format's {"long": "dddd, MMMM D", "short": ...}: no coordinate
    words = {v.strip() for v in values if v.strip()}
    return (
        kind == "free_text"
        and len(values) >= name_evidence.MIN_SHAPED_SAMPLE
        and 0 < len(words) <= MAX_SETTING_WORDS
        and len(values) >= 2 * len(words)  # a setting's words repeat from row to row
        and all(_SETTING.fullmatch(w) for w in words)
    )


def unread_notes(read: Documents, table: str, limit_chars: int) -> list[str]:
    """REVIEW notes for what the sample could not judge or no rule can name: documents
    too long to read whole, personal values under a key named `*`."""
    notes = []
    if read.unreadable:
        notes.append(
            f"REVIEW: {read.unreadable} of {read.total} sampled documents are longer than "
            f"the {limit_chars:,} characters the sample reads: not looked into"
        )
    if read.deep:
        notes.append(
            f"REVIEW: {read.deep} of {read.total} sampled documents hold values more than "
            f"{MAX_DEPTH} levels deep: not looked into"
        )
    pairs = tracking_values.coordinate_arrays(read.paths)
    denied = [
        path
        for path, values in sorted(read.paths.items())
        if (by_name := pii.match_name(_named_by(path), table)) is not None
        and pii_values.count_kind(values, by_name.kind) is None
        and shaped_values.otherwise(by_name.kind, values) is None
        and _denied(by_name.kind, values, path)
        and _judge_path(path, tuple(values), table, pairs.get(path)) is None
    ]
    if denied:
        notes.append(
            "REVIEW: kept, as their sampled values are flags or settings, not what their "
            f"key names: {', '.join(denied[:10])}"
        )
    notes += json_mentions.notes(read.paths, {f.path for f in judge_paths(read.paths, table)})
    notes += json_selectors.unseen_note(read.paths)
    personal = judge_paths(read.dotted, table)
    if personal:
        named = ", ".join(f"{f.path} ({f.kind})" for f in personal[:10])
        notes.append(
            f"REVIEW: keys named * hold personal data no jsonb path can name: {named}; "
            "they are kept (a `sql` rule can rewrite them)"
        )
    return notes


def collapse_array_paths(
    paths: dict[str, Any], arrays: Mapping[str, frozenset[int]]
) -> tuple[dict[str, Any], list[str]]:
    """Array elements masked alike -> one path for every element (array_paths.py)."""
    return array_paths.collapse(paths, arrays)
