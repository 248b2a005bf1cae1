"""JSON documents kept in text columns (Rails' and Django's serialized fields,
Nextcloud's and Sentry's payloads), which `rules init` masks path by path.

Judged as free text, one email address in a few of them emptied the whole column with
`lorem`, and the application that parses it broke. A text column whose sampled values
are all JSON objects or arrays (or the JSON text `null`) is proposed a `jsonb` rule
instead, like a json column.
Pure logic over the sample (rules/sample.py reads such values whole, up to
MAX_JSON_CHARS).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from dbrefresh.rules import opaque_values
from dbrefresh.rules.json_paths import MAX_JSON_CHARS
from dbrefresh.rules.php_serialized import is_serialized
from dbrefresh.strategies import jsonb_stray

CONTAINER_STARTS = ("{", "[")
SCALAR_STARTS = frozenset("ntf-0123456789")  # null, true, false, a number
STRAY_SHARE = 0.02  # sampled values allowed to be no document (a malformed row or two)


def is_cut_off(value: str) -> bool:
    """A document longer than the sample reads (cut at MAX_JSON_CHARS): judged by its
    start, like a json column's (json_paths.unread_notes counts it)."""
    return len(value) >= MAX_JSON_CHARS and value.lstrip().startswith(CONTAINER_STARTS)


def is_container(value: str) -> bool:
    if not value.lstrip().startswith(CONTAINER_STARTS):
        return False  # prose fails here, not in the parser
    try:
        return isinstance(json.loads(value), dict | list)
    except ValueError:
        return False


def _plain_scalar(value: str) -> bool:
    """JSON null, true, false or a number: what json.dumps(None) and the like write
    where the application has no document (Metabase's login_attributes is 'null' in
    most rows). A document without paths, kept as it is by the jsonb strategy; a JSON
    string is no such value (it may be a name)."""
    text = value.strip()
    if not text or text[0] not in SCALAR_STARTS:
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return parsed is None or isinstance(parsed, bool | int | float)


@dataclass(frozen=True)
class TextDocuments:
    """A text column's sample read as JSON: documents, and the values that are none."""

    documents: int
    strays: int  # non-blank values that are no JSON object or array
    serialized: int = 0  # of the strays, PHP-serialised values (php_serialized.py)
    opaque: int = 0  # of the strays, base64 or binary values (opaque_values.py)
    opaque_kinds: str = ""  # what those are ('base64 of zlib-compressed data')
    arrays: bool = False  # most documents are JSON arrays, not objects

    def note_for(self, masked: bool, *, nullable: bool, unique: bool) -> str | None:
        """A note for the strays: what anonymize writes for them in this column, or that
        they are kept with it (no path of the documents looked personal)."""
        if not self.strays:
            return None
        strays = f"{self.strays} of {self.documents + self.strays} sampled values"
        if self.opaque:  # named: what no rule looks into
            strays += f" ({self.opaque} of them {self.opaque_kinds})"
        if not masked:
            return f"REVIEW: {strays} are no JSON object or array, kept with the column"
        written = jsonb_stray.describe(nullable=nullable, unique=unique)
        return (
            f"REVIEW: {strays} are no JSON object or array: anonymize writes {written} "
            "for those that do not parse and for JSON strings, and keeps a JSON number "
            "or true/false as it is"
        )


def json_documents(values: Sequence[str] | None) -> TextDocuments | None:
    """The sample as documents when nearly every non-blank value (all but STRAY_SHARE of
    them, none in a small sample) is a JSON object or array, or JSON null, else None:
    '42' or 'true' alone are no documents, a note in brackets does not parse. One
    malformed row in a thousand must not turn the column back into free text, emptied
    whole by `lorem`; nor must the JSON text 'null' of the rows without a document.
    Numbers and true/false count as documents without paths in a minority of them;
    PHP-serialised values count as strays, in any number; opaque values (base64,
    binary: Sentry's compressed events) too, when most values are documents."""
    sample = [v for v in values or () if v.strip()]
    whole = [v for v in sample if not is_cut_off(v)]
    allowed = int(STRAY_SHARE * len(sample))
    strays = containers = serialized = arrays = 0
    scalars: list[str] = []
    opaque: list[str] = []
    for value in whole:
        if is_container(value):
            containers += 1
            arrays += value.lstrip().startswith("[")
        elif _plain_scalar(value):
            scalars.append(value.strip())
        elif is_serialized(value):  # Moodle's log `other`: JSON, or serialize() of old
            serialized += 1
        elif (kind := opaque_values.kind(value)) is not None:
            opaque.append(kind)  # Sentry's nodestore: JSON, or base64 of zlib data
        else:
            strays += 1
            if strays > allowed:
                return None  # free text: known at its first values
    others = [v for v in scalars if v != "null"]
    if not containers or 2 * len(others) > len(sample):
        return None  # no document read whole; or mostly numbers and flags
    if opaque and 2 * containers <= len(sample):
        return None  # mostly opaque: no column of documents
    unread = strays + serialized + len(opaque)
    return TextDocuments(
        len(sample) - unread,
        unread,
        serialized,
        len(opaque),
        opaque_values.named(opaque),
        2 * arrays > containers,
    )
