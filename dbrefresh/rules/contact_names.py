"""A `name` beside an email address or phone number in one JSON object is the person's.

The key `name` names anything in a document (Mastodon's profile fields {"name":
"Twitter", "value": "@ann"}), so json_paths trusts it only in a table about people.
Form data and settings kept elsewhere ({"email": "ann@mail.example", "name": "Ann
Schmidt"}: Mautic's leads, WordPress's serialised options) kept every name. Beside a
path found to be an email address or phone number in the same object, a `name` whose
sampled values count as full names is judged a full name. Pure logic over the sample.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules import pii_values
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import join_path, path_parts

CONTACT_KINDS = frozenset({"email", "phone"})
NAME_KEY = "name"


def beside_contacts(found: Sequence[PathFinding], paths: dict[str, list[str]]) -> list[PathFinding]:
    """The findings, with the `name` paths of objects holding a contact detail added."""
    contacts = {path_parts(f.path)[:-1] for f in found if f.kind in CONTACT_KINDS}
    known = {f.path for f in found}
    out = list(found)
    for path, values in paths.items():
        parts = path_parts(path)
        if path in known or parts[-1].lower() != NAME_KEY or parts[:-1] not in contacts:
            continue
        if (evidence := pii_values.count_kind(values, "full_name")) is not None:
            where = join_path(parts[:-1]) or "the document"
            reason = f"key `{parts[-1]}` beside a contact detail in {where}, {evidence.reason}"
            out.append(PathFinding(path, "full_name", reason))
    return sorted(out, key=lambda f: f.path)
