"""The `xml` rule for a column of XML documents, in `rules init`.

ODK Central's submission_defs.xml and KoBoCAT's logger_instance.xml got `lorem`, Axon's
bytea payloads were emptied: no submission parsed, no aggregate loaded. A text, xml or
bytea column whose sampled values are XML data documents (xml_sample.py) gets `xml`
instead: each leaf element is judged by its path as a JSON path is (the same
classifier, named_documents.judged: its name, its values), and an element found
personal gets the strategy a jsonb path of that name would (a birth date of ISO dates
`date_shift` with `text: true`, as it stays text). Attribute values are judged the
same way by their element's path and their name (`<contact email="..." name="...">`:
such documents were judged whole and emptied) and get `attributes` rules. Elements
and attributes not found personal (ODK's meta/instanceID, counts, codes, the form id)
are kept, and a REVIEW note names the masked ones. Pure logic over the sample.
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
from dbrefresh.rules.json_paths import PathFinding, all_dates
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import ColumnContext, Strategy
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
    if read is None:
        return None
    others = None if xml_sample.few_strays(read) else _json_others(table, column, read, strategies)
    if others is None and not xml_sample.few_strays(read):
        return None
    unique = column.name in table.unique_columns()
    document = column_context(table, column, unique=unique)
    element = element_context(document)
    elements: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    why: list[str] = []
    both = {p: [*read.paths.get(p, []), *read.attributes.get(p, [])] for p in _all_paths(read)}
    for found in named_documents.judged(both, table.qualified, column.name):
        name = _element(found.path)
        wanted = [
            (listed, said)
            for listed, where, said in (
                (elements, read.paths, name),
                (attributes, read.attributes, f"@{name}"),
            )
            if found.path in where and name not in listed
        ]
        if not wanted or name.lower() in _KEPT_NAMES:
            continue
        rule = _rule(found, both.get(found.path, []), element, strategies)
        if rule is _GIVE_UP:
            return None  # a map's keys and values: masked whole, as before
        for listed, said in wanted if rule is not None else ():
            listed[name] = rule
            why.append(f"{said}: {found.reason}")
    if _attribute_contacts(read, attributes):
        return None  # an address in an attribute no rule masks: judged whole, as before
    raw: dict[str, Any] = {
        **({"elements": elements} if elements else {}),
        **({"attributes": attributes} if attributes else {}),
        **({"others": others[0]} if others else {}),
    }
    if not (elements or attributes) or not fits(strategies[XML], raw, document):
        return None
    notes = [
        f"its {read.documents} sampled values are XML documents: the text of personal "
        "elements and the values of personal attributes masked, comments blanked, other "
        "markup and the others kept",
        *why,
        "REVIEW: "
        + "".join(
            f"{what} masked (by local name, anywhere): {_listing(masked, paths)}; "
            for what, masked, paths in (
                ("elements", elements, read.paths),
                ("attributes", attributes, read.attributes),
            )
            if paths
        )
        + "elements and attributes the sample did not meet are kept",
    ]
    if others:
        notes.append(others[1])
    elif read.strays:
        notes.append(
            f"REVIEW: {len(read.strays)} sampled values are no XML document: "
            f"{'emptied' if column.not_null else 'NULL'}"
        )
    return ColumnProposal(column.name, XML, raw, kind=XML, why=notes)


_GIVE_UP: Any = object()  # what _rule returns when no rule masks the path by its name


def _all_paths(read: xml_sample.XmlDocuments) -> list[str]:
    return sorted({*read.paths, *read.attributes})


def _rule(
    found: PathFinding,
    texts: Sequence[str],
    element: ColumnContext,
    strategies: Mapping[str, Strategy[Any]],
) -> Any:
    """The rule for an element or attribute found personal, as a jsonb path of its
    name would get (None: no rule fits; _GIVE_UP: a map's keys beside its values)."""
    if found.kind == "birth_date" and texts and all_dates(texts):
        return dict(BIRTH_DATE)
    if texts and geo_texts.reason(texts) is not None:
        return geo_texts.RULE[0]  # ODK's geopoint 'lat lon alt acc': cut to the grid
    if texts and all(geo_texts.is_geopoints(t.strip()) for t in texts):
        # ODK's geopoint, geotrace and geoshape too coarse for `coordinates` ('41.19
        # -8.57'): each digit drawn, the signs, points and spaces kept, so the app
        # still reads numbers where a place was (lorem made them words)
        return "digits"
    if found.kind == "free_text" and _addresses_only(texts):
        return dict(ADDRESSES)  # XStream's map entries: <string>username</string> ...
    if found.kind == "free_text" and _keys_beside_values(texts):
        return _GIVE_UP
    chosen = choose(found.kind, element, strategies, found.rules)
    if chosen is None:
        return None
    strategy, params = chosen
    return {"strategy": strategy, **params} if params else strategy


def _listing(masked: Mapping[str, Any], paths: Mapping[str, Any]) -> str:
    """Which elements (or attributes) are masked and which are kept, by local name."""
    kept = sorted({_element(p) for p in paths} - set(masked))
    more = " ..." if len(kept) > 20 else ""
    return f"{', '.join(sorted(masked)) or 'none'}; kept: {', '.join(kept[:20]) or 'none'}{more}"


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


def _attribute_contacts(read: xml_sample.XmlDocuments, masked: Mapping[str, Any]) -> int:
    """Sampled attribute values holding a contact detail that no attribute rule masks
    (an attribute the classifier found nothing personal in, or no rule fits): such a
    column is judged whole, as before, rather than kept in part (URLs aside)."""
    return sum(
        1
        for path, texts in read.attributes.items()
        if _element(path) not in masked
        for t in texts
        if not t.startswith(("http://", "https://")) and pii_values.has_contact(t)
    )
