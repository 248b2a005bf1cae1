"""JSON documents kept as strings inside JSON documents, in `rules init`.

Mattermost's users.props holds {"customStatus": "{\\"emoji\\": \\"palm_tree\\", \\"text\\":
\\"Meeting with Anna Schmidt\\", \\"duration\\": \\"today\\"}"}: the status is a JSON
document the application stores as a string and parses again. Judged as the path's
text, the phone numbers and names in a few statuses gave the whole string `lorem`, and
Mattermost could no longer parse any status. A path whose sampled values are such
strings (json_text.json_documents says they are documents) is judged document by
document instead, and gets a `jsonb` rule of its own: its personal members masked, its
keys and the rest kept, the string still a JSON document. Pure logic over the sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbrefresh.rules.json_text import json_documents
from dbrefresh.rules.proposal import SAMPLED_PATHS

JSONB = "jsonb"


def split(paths: Mapping[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(the paths holding scalars, the paths whose values are JSON documents in strings)."""
    plain: dict[str, list[str]] = {}
    encoded: dict[str, list[str]] = {}
    for path, values in paths.items():
        documents = json_documents(values)
        held = documents is not None and not documents.strays
        (encoded if held else plain)[path] = values
    return plain, encoded


def nested(path: str, inner: Mapping[str, Any], why: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The rule of a path holding documents in strings, whose own paths are `inner`,
    and its reasons."""
    # the inner rule's own SAMPLED_PATHS note is said once, outside
    said = [f"{path} (a JSON document in a string): {w}" for w in why if w != SAMPLED_PATHS]
    return {"strategy": JSONB, "paths": dict(inner)}, said
