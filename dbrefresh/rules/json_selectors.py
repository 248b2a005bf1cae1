"""`rules init`: lists of objects told apart by a key, read as `[key=value]` paths.

Typebot's `Result.variables` ([{id, name, value}] in the order a session set them),
FHIR's `telecom` ([{system, value, use}]: a Patient's phone first, a Practitioner's
only entry an email) and Misskey's and Akkoma's profile fields ([{name, value}]) got
paths by position (`0.value: full_name, 1.value: email`, which kept every email met
at another index) or one `*.value: hash` for every value (a Website, 'she/her' and a
Plan hashed alike). A list of such objects, each holding the same discriminating key
(name, key, label, field, system, type) and a `value`, is read as one path per
discriminator: `variables.[name=Email].value`, `telecom.[system=phone].value`; each
path's values are judged as under a key of the discriminator's text, normalised like a
column name ('Full name' -> full_name, 'Phone' -> phone; a label naming an account,
'user', 'actor', 'owner', 'created_by', -> username: a request log's [key=user].value
logins were kept where one `*.value: hash` had masked them; ids kept), and where that
text says nothing, by the values alone: personal ones (a Matrix id under 'Matrix') are
hashed, as every pair value was, logins holding a known name masked as logins, and so
are a profile's links and accounts ('Website', 'GitHub'), the others ('she/her',
'Pro', 20) kept. Labels the sample did not meet are read across the table
(selector_labels.py). A list whose
discriminator takes more than MAX_SELECTED values across the sample (free-form keys)
stays one `*.value` path judged as before (json_keys.pair_finding). Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbrefresh.rules import pii, url_people
from dbrefresh.strategies.jsonb_pathsyntax import (
    WILDCARD,
    is_wild,
    join_path,
    path_parts,
    quote_key,
    selectable,
    selector,
    selector_segment,
)

# The keys that tell a list's objects apart, in the order one is chosen
DISCRIMINATOR_KEYS = ("name", "key", "label", "field", "system", "type")
VALUE_KEY = "value"
MAX_DISCRIMINATOR = 64  # characters (longer: text, no label)
MAX_SELECTED = 24  # distinct discriminators of one list across the sample
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Labels whose text means a kind a column name would not say alone: a form's 'Name'
# is the person's (a document's `name` key names anything)
_MEANS = {"name": "full_name", "your_name": "full_name", "e_mail": "email"}
# Labels naming an account (a request log's {key: 'user', value: 'jasonrobinson1'}): the
# value is a login, masked as a login column is (kept when only ids: rows' references).
# Not 'agent' (a user agent), 'operator' (a filter's), 'editor' (a program): ambiguous
ACCOUNT_LABELS = frozenset(
    (
        "user",
        "username",
        "user_name",
        "login",
        "login_name",
        "actor",
        "by",
        "owner",
        "author",
        "creator",
        "created_by",
        "updated_by",
        "modified_by",
        "changed_by",
        "deleted_by",
        "performed_by",
        "requested_by",
        "approved_by",
        "assigned_to",
        "assignee",
        "reporter",
        "requester",
        "submitter",
        "uploader",
        "reviewer",
        "approver",
        "impersonator",
    )
)
_ID = re.compile(
    r"-?\d+|[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?",  # a 'login' time
    re.I,
)
# Labels of a profile's links and accounts (Misskey's, Akkoma's, Mastodon's fields):
# whatever their values' shape, they lead to the person; hashed, as every pair value was
_ACCOUNTS = frozenset(
    (
        "website",
        "homepage",
        "home_page",
        "blog",
        "site",
        "web",
        "url",
        "link",
        "portfolio",
        "twitter",
        "x",
        "github",
        "gitlab",
        "mastodon",
        "fediverse",
        "matrix",
        "xmpp",
        "jabber",
        "linkedin",
        "instagram",
        "facebook",
        "telegram",
        "signal",
        "discord",
        "keybase",
        "youtube",
        "twitch",
        "bluesky",
        "threads",
        "reddit",
    )
)


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def discriminator(item: Any) -> tuple[str, str] | None:
    """The (key, value) telling a list's object apart ('name', 'Email'): the first of
    DISCRIMINATOR_KEYS holding a short label, beside a `value` that is a scalar or a
    list of scalars (Typebot's Phones); None for any other element."""
    if not isinstance(item, dict) or VALUE_KEY not in item:
        return None
    value = item[VALUE_KEY]
    if not (_scalar(value) or (isinstance(value, list) and all(map(_scalar, value)))):
        return None
    for key in DISCRIMINATOR_KEYS:
        name = item.get(key)
        if isinstance(name, str) and 0 < len(name.strip()) <= MAX_DISCRIMINATOR:
            return key, name
    return None


def discriminated_key(value: Any) -> str | None:
    """The key every object of a list is told apart by, when each element is such an
    object with the same key and a label a path can spell; None otherwise."""
    if not isinstance(value, list) or not value:
        return None
    found = [discriminator(item) for item in value]
    keys = {f[0] if f else None for f in found}
    if len(keys) != 1 or None in keys:
        return None
    if not all(f is not None and selectable(f[1]) for f in found):
        return None
    return keys.pop()


def selected_name(path: str) -> str | None:
    """The discriminator a path's values sit under (`x.[name=Email].value` -> Email);
    None for a path that does not end in a selected object's value."""
    parts = path_parts(path)
    if len(parts) < 2 or parts[-1] != VALUE_KEY:
        return None
    chosen = selector(parts[-2])
    return chosen[1] if chosen else None


def as_key(name: str) -> str:
    """A discriminator's text as a column name ('Full name' -> full_name, 'Name' ->
    full_name)."""
    key = _NOT_WORD.sub("_", name.strip().lower()).strip("_")
    return "username" if key in ACCOUNT_LABELS else _MEANS.get(key, key)


def _ids(values: tuple[str, ...]) -> bool:
    """Every value an id (digits, a UUID: a reference to the account's row) or a time
    (a 'login' label's): no login."""
    sample = [v.strip() for v in values if v.strip()]
    return bool(sample) and all(_ID.fullmatch(v) for v in sample)


HASH: tuple[tuple[str, dict[str, Any]], ...] = (("hash", {}),)
Judge = Callable[[str, tuple[str, ...]], Any]


def selected_finding(
    path: str, values: tuple[str, ...], table: str, judge: Judge, make: Callable[..., Any]
) -> Any | None:
    """The finding for the values of one discriminator (`variables.[name=Email].value`):
    judged as under a key of its text when that names a kind, else a hash of each
    value where they look personal (a future value may be any shape), else none."""
    name = selected_name(path)
    assert name is not None
    prefix = join_path(path_parts(path)[:-2])
    key = as_key(name)
    named = f"{prefix}.{quote_key(key)}" if prefix else quote_key(key)
    if key == "username" and _ids(values):
        return None  # {key: 'user', value: 42}: the users row's id, kept as ids are
    if key and pii.match_name(key, table) is not None:
        found = judge(named, values)
        return (
            None
            if found is None
            else make(
                path,
                found.kind,
                f"{name}: {found.reason}",
                found.dates,
                found.numbers,
                rules=found.rules,
            )
        )
    if key in _ACCOUNTS and any(v.strip() for v in values):
        return make(
            path, "secret", f"under {name!r}: a profile's link or account, hashed", rules=HASH
        )
    found = judge(path, values)  # named by 'value': by the values alone
    if found is None and url_people.named_logins(values):
        return make(
            path,
            "username",
            f"under {name!r}, a name that says nothing: half its sampled values or more "
            "are logins holding a known name; masked as logins",
        )
    if found is None:
        return None
    login = found.kind == "username"  # masked as a login column is ('u' and a hash)
    return make(
        path,
        found.kind,
        f"under {name!r}, a name that says nothing: {found.reason}; "
        + ("masked as logins" if login else "hashed"),
        rules=found.rules if login else HASH,
    )


# Kinds of a person's identifiers: a list holding one (FHIR's identifier: an SSN beside
# an MRN and an NPI) holds that person's other ids too
_ID_KINDS = frozenset({"national_id", "personal_code"})
_CODE = re.compile(r"(?=(?:\D*\d){5})[A-Za-z0-9][A-Za-z0-9._/-]*")  # 'MRN1251420'


def _list_of(path: str) -> tuple[tuple[str, ...], str] | None:
    """The list a selector path's values sit in and its discriminating key
    ('identifier.[system=x].value' -> (('identifier',), 'system')), None for another."""
    parts = path_parts(path)
    chosen = selector(parts[-2]) if len(parts) >= 2 and parts[-1] == VALUE_KEY else None
    return None if chosen is None else (tuple(parts[:-2]), chosen[0])


def sibling_ids(
    paths: Mapping[str, Sequence[str]], findings: list[Any], make: Callable[..., Any]
) -> list[Any]:
    """The findings, with the labels of a list that holds a person's identifier (FHIR's
    `identifier.[system=...us-ssn].value`) masked like it where their values are codes
    too: an MRN's system ('urn:oid:1.2.36...') and an NPI's say nothing, their values
    ('MRN1251420', ten digits) neither, and both were kept while the old `*.value`
    path, judged on every label's values together, masked them."""
    by_path = {f.path: f for f in findings}
    ids: dict[tuple[tuple[str, ...], str], Any] = {}
    for finding in findings:
        listed = _list_of(finding.path)
        if listed is not None and finding.kind in _ID_KINDS:
            ids.setdefault(listed, finding)
    if not ids:
        return findings
    added = []
    for path, values in sorted(paths.items()):
        listed = _list_of(path)
        if path in by_path or listed not in ids:
            continue
        sample = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        if sample and all(_CODE.fullmatch(v) for v in sample):
            like = ids[listed]
            reason = f"codes in the list holding {like.path}: {like.reason}"
            added.append(make(path, like.kind, reason, rules=like.rules))
    return sorted([*findings, *added], key=lambda f: str(f.path)) if added else findings


def unseen_note(paths: Mapping[str, Any]) -> list[str]:
    """A REVIEW note for the lists read by label: a label no sampled document held (a
    form field added later) has no path, and its values are kept."""
    lists = sorted(
        {
            join_path((*parts[:at], f"[{chosen[0]}=...]"))
            for path in paths
            for parts in [path_parts(path)]
            for at, part in enumerate(parts)
            if (chosen := selector(part)) is not None
        }
    )
    if not lists:
        return []
    return [f"REVIEW: {', '.join(lists[:5])}: {UNSEEN_KEPT}"]


UNSEEN_KEPT = (
    "one path per label the sample met; a label it did not meet (a new form field) is "
    "kept: run rules init again when they change"
)
ALL_READ = (
    "one path per label, every label of the whole table read; a label added later (a "
    "new form field) is kept: run rules init again when they change"
)


def read_all(note: str) -> str:
    """A column's note, saying so when every label of its lists was read in the table."""
    return note.replace(UNSEEN_KEPT, ALL_READ) if note.startswith("REVIEW: ") else note


def fold_wide(paths: dict[str, list[str]], make_values: Callable[[], Any]) -> None:
    """Lists whose discriminator took more than MAX_SELECTED values: their selector
    paths folded back into one `*` path, each value with its discriminator as a pair's
    name (json_keys.PairValues: judged as before)."""
    groups: dict[tuple[tuple[str, ...], str], set[str]] = {}
    for path in paths:
        parts = path_parts(path)
        at = next((n for n, p in enumerate(parts) if selector(p)), None)
        if at is not None:
            key, value = selector(parts[at]) or ("", "")
            groups.setdefault((parts[:at], key), set()).add(value)
    wide = {group for group, values in groups.items() if len(values) > MAX_SELECTED}
    if not wide:
        return
    for path in list(paths):
        parts = path_parts(path)
        at = next((n for n, p in enumerate(parts) if selector(p)), None)
        chosen = selector(parts[at]) if at is not None else None
        if at is None or chosen is None or (parts[:at], chosen[0]) not in wide:
            continue
        folded = join_path((*parts[:at], WILDCARD, *parts[at + 1 :]))
        into = paths.setdefault(folded, make_values())
        for value in paths.pop(path):
            add = getattr(into, "add", None)
            if add is not None and not any(is_wild(p) for p in parts[at + 1 :]):
                add(value, chosen[1])
            else:
                into.append(value)


__all__ = ["selector_segment"]
