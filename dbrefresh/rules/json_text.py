"""JSON documents kept in text columns (Rails' and Django's serialized fields,
Nextcloud's and Sentry's payloads), which `rules init` masks path by path.

Judged as free text, one email address in a few of them emptied the whole column with
`lorem`, and the application that parses it broke. A text column whose sampled values
are all JSON objects or arrays is proposed a `jsonb` rule instead, like a json column.
Pure logic over the sample (rules/sample.py reads such values whole, up to
MAX_JSON_CHARS).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dbrefresh.rules.json_paths import MAX_JSON_CHARS

CONTAINER_STARTS = ("{", "[")


def _cut_off(value: str) -> bool:
    """A document longer than the sample reads (cut at MAX_JSON_CHARS): judged by its
    start, like a json column's (json_paths.unread_notes counts it)."""
    return len(value) >= MAX_JSON_CHARS and value.lstrip().startswith(CONTAINER_STARTS)


def _container(value: str) -> bool:
    try:
        return isinstance(json.loads(value), dict | list)
    except ValueError:
        return False


def holds_json_documents(values: Sequence[str] | None) -> bool:
    """Whether every non-blank sampled value is a JSON object or array (at least one read
    whole): '42' or 'true' alone are no documents, a note in brackets does not parse."""
    sample = [v for v in values or () if v.strip()]
    whole = [v for v in sample if not _cut_off(v)]
    return bool(whole) and all(_container(v) for v in whole)
