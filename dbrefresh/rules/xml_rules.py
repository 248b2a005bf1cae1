"""The `xml` rule for a column of XML documents, in `rules init`.

ODK Central's submission_defs.xml and KoBoCAT's logger_instance.xml got `lorem`, Axon's
bytea payloads were emptied: no submission parsed, no aggregate loaded. A text, xml or
bytea column whose sampled values are XML data documents (xml_sample.py) gets `xml`
instead: each leaf element is judged by its path as a JSON path is (the same
classifier, named_documents.judged: its name, its values), and an element found
personal gets the strategy a jsonb path of that name would (a birth date of ISO dates
`date_shift` with `text: true`, as it stays text). Elements not found personal
(ODK's meta/instanceID, counts, codes) and attributes (the form id) are kept, and a
REVIEW note names the masked elements. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import (
    geo_texts,
    json_paths,
    json_text,
    named_documents,
    pii,
    pii_values,
    position_tokens,
    xml_sample,
)
from dbrefresh.rules.document_rules import json_rule
from dbrefresh.rules.encoded_text import TEXT
from dbrefresh.rules.fitting import choose, column_context, fits
from dbrefresh.rules.json_paths import all_dates
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import path_parts
from dbrefresh.strategies.xml_doc import element_context

XML = "xml"
BIRTH_DATE = {"strategy": "date_shift", "max_days": 365, "text": True}
# An element holding keys and addresses alike (XStream writes a map's entries as
# <entry><string>username</string><string>ann@x.example</string></entry>): `lorem`
# made every key words; each address is masked in place, the keys kept
ADDRESSES = {"strategy": "email", "within": True}
# ...when the other values are keys, ids and numbers (an address or a name is not)
_OPAQUE = re.compile(
    r"[A-Za-z_][A-Za-z0-9_-]{0,63}|[0-9a-fA-F-]{8,}|[-+]?[0-9]+(?:\.[0-9]+)?|true|false"
)
# A map's key ('traceId', 'correlationId', 'username') and the share of such keys
_KEY = re.compile(r"[a-z][a-z0-9]*(?:[A-Z_][a-z0-9]+)+|[a-z][a-z0-9]*_[a-z0-9_]+")
KEY_SHARE = 0.2
# Values of an element that name no one, whatever its name says: ids a submission is
# found by (ODK's 'uuid:8fa0...', KoBoCAT's formhub/uuid)
_KEPT_NAMES = frozenset({"instanceid", "deprecatedid", "uuid"})


def _element(path: str) -> str:
    return path_parts(path)[-1]


def _tracking_token(table: Table, column: Column, values: Sequence[str] | None) -> bool:
    """A column named for a secret holding documents of positions: Axon's
    token_entry.token, whose GapAwareTrackingToken's `<long>1100</long>` (a Java type's
    element) read as a longitude and got masked, and the processor lost its place."""
    named = pii.match_name(column.name, table.qualified)
    if named is None or named.kind != "secret":
        return False
    return position_tokens.positions(values or ()) is not None


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """The `xml` rule for a column of XML documents, or None (no documents, no element
    found personal, or no rule that fits the column)."""
    if column.type.is_array or XML not in strategies:
        return None
    if not (column.type.is_text or column.type.base in {"xml", "bytea"}):
        return None
    if _tracking_token(table, column, values):
        return None  # kept by its name's denial (name_evidence.py), not element by element
    read = xml_sample.xml_documents(values)
    if read is None or _attribute_contacts(values):
        return None  # an address in an attribute (`email="..."`), which `xml` keeps
    others = None if xml_sample.few_strays(read) else _json_others(table, column, read, strategies)
    if others is None and not xml_sample.few_strays(read):
        return None
    unique = column.name in table.unique_columns()
    document = column_context(table, column, unique=unique)
    element = element_context(document)
    elements: dict[str, Any] = {}
    why: list[str] = []
    for found in named_documents.judged(read.paths, table.qualified, column.name):
        name = _element(found.path)
        if name in elements or name.lower() in _KEPT_NAMES:
            continue
        texts = read.paths.get(found.path, [])
        rule: Any
        if found.kind == "birth_date" and texts and all_dates(texts):
            rule = dict(BIRTH_DATE)
        elif texts and geo_texts.reason(texts) is not None:
            rule = geo_texts.RULE[0]  # ODK's geopoint 'lat lon alt acc': cut to the grid
        elif texts and all(geo_texts.is_geopoints(t.strip()) for t in texts):
            # ODK's geopoint, geotrace and geoshape too coarse for `coordinates` ('41.19
            # -8.57'): each digit drawn, the signs, points and spaces kept, so the app
            # still reads numbers where a place was (lorem made them words)
            rule = "digits"
        elif found.kind == "free_text" and _addresses_only(texts):
            rule = dict(ADDRESSES)  # XStream's map entries: <string>username</string> ...
        elif found.kind == "free_text" and _keys_beside_values(texts):
            return None  # a map's keys and values: masked whole, as before
        else:
            chosen = choose(found.kind, element, strategies, found.rules)
            if chosen is None:
                continue
            strategy, params = chosen
            rule = {"strategy": strategy, **params} if params else strategy
        elements[name] = rule
        why.append(f"{name}: {found.reason}")
    raw: dict[str, Any] = {"elements": elements, **({"others": others[0]} if others else {})}
    if not elements or not fits(strategies[XML], raw, document):
        return None
    kept = sorted({_element(p) for p in read.paths} - set(elements))
    notes = [
        f"its {read.documents} sampled values are XML documents: the text of personal "
        "elements masked, markup, attributes and other elements kept",
        *why,
        f"REVIEW: elements masked (by local name, anywhere): {', '.join(sorted(elements))}; "
        f"kept: {', '.join(kept[:20]) or 'none'}{' ...' if len(kept) > 20 else ''}; "
        "attributes and elements the sample did not meet are kept",
    ]
    if others:
        notes.append(others[1])
    elif read.strays:
        notes.append(
            f"REVIEW: {len(read.strays)} sampled values are no XML document: "
            f"{'emptied' if column.not_null else 'NULL'}"
        )
    return ColumnProposal(column.name, XML, raw, kind=XML, why=notes)


def _json_others(
    table: Table,
    column: Column,
    read: xml_sample.XmlDocuments,
    strategies: Mapping[str, Strategy[Any]],
) -> tuple[dict[str, Any], str] | None:
    """The `others` rule for JSON documents beside the XML ones (Axon's JSON payloads
    beside XStream ones), with its note, when every other value is one and a path of
    theirs looks personal."""
    if json_text.json_documents(read.strays) is None:
        return None
    twin = replace(column, type=TEXT)
    found = json_rule(table, twin, json_paths.read_documents(read.strays), strategies)
    if found is None:
        return None
    said = "; ".join(w for w in found.why if not w.startswith("REVIEW"))
    note = (
        f"{len(read.strays)} sampled values are JSON documents, masked path by path "
        f"(`others`): {said}"
    )
    return {"strategy": "jsonb", **found.params}, note


def _addresses_only(texts: Sequence[str]) -> bool:
    """Whether an element's personal values are email addresses alone, each a whole
    value, beside values holding nothing personal."""
    plain = [t for t in texts if "@" not in t]
    return (
        len(plain) < len(texts)
        and all(pii_values.EMAIL.fullmatch(t.strip()) for t in texts if "@" in t)
        and all(_OPAQUE.fullmatch(t.strip()) for t in plain)
    )


def _keys_beside_values(texts: Sequence[str]) -> bool:
    """Whether an element holds a map's keys beside its values (XStream's
    <entry><string>traceId</string><string>...</string></entry>): keys that recur, a
    fifth of the values at least. `lorem` over them made every key words, and no rule
    masks a value by its key."""
    keys = Counter(t for t in texts if _KEY.fullmatch(t))
    recurring = sum(n for n in keys.values() if n > 1)
    return recurring >= KEY_SHARE * len(texts)


def _attribute_contacts(values: Sequence[str] | None) -> int:
    """Sampled documents with a contact detail inside a tag (an attribute's value):
    `xml` masks elements' text only, so such a column is judged whole, as before (a
    `<customer email="...">` kept in 108 of 108 rows where the old rule emptied it)."""
    tags = (xml_sample.tags_text(v) for v in values or () if v.strip())
    return sum(1 for t in tags if t and pii_values.has_contact(t))
