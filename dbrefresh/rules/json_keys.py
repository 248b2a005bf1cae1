"""`rules init`: JSON keys that are ids, and lists of [name, value] pairs, read as `*`.

Chatwoot's `users.tokens` (devise_token_auth) is `{"<client id>": {"token": ...}}`: a
path per client id the sample met (`5lVm7k...Qg.token`, thirty of them) kept the token
of every login after `rules init`. Where the keys of an object level look like ids
(many distinct, random-looking, few met in more than one document) the level is read
as a `*`, every member (`tokens.*.token`): its values judged together, the rule naming
ids no sample met (the jsonb strategy walks an object's members at a `*`).

Sentry's `request.headers` is a list of [name, value] pairs whose order differs from
event to event: paths by position ('headers.1.1' hashed, 'headers.3.1' an ip, nothing
for the Cookie at 'headers.0.1') kept the cookie, and the bearer token whenever it sat
elsewhere. A list of such pairs is read as `headers.*.0` (the names, kept unless
personal themselves) and `headers.*.1` (every value), each value judged by its pair's
name as by a key; one rule fits them all (PairValues, pair_finding). Profile field
lists of {"name": ..., "value": ...} objects (Mastodon's, Misskey's `user_profile.fields`,
Akkoma's `users.fields`) are such pairs too: paths by position ('1.value' a Matrix id's
rule, '2.value' email) kept an Email met at another index and made 'she/her' an email
address; they are read as one `[name=Email].value` path per field name
(json_selectors.py), and as `*.name` and `*.value`, each value judged by its field's name
(named_pair), only where the names are free-form keys. Frappe's change log keeps each
change as a [field, old, new] triple, the fields in any order: a list of such triples
is read as `changed.[email_id]`, one path per field, its old and new values judged by
the field's name (is_field_triples; the jsonb strategy's `[name]` segment masks them
by name). Pure logic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, join_path, path_parts, quote_key

MIN_ID_KEYS = 8  # distinct keys at a level before its keys can be ids
ID_SHARE = 0.9  # of those keys, looking like ids
MAX_REPEAT = 2.0  # objects a key is met in, on average: ids belong to one row
MAX_ROUNDS = 3  # id levels under id levels
# An id: digits, hex, a UUID, a base64 or url-safe token; words ('first_name') are not
_ID = re.compile(r"[0-9]+|[A-Za-z0-9_+/=-]{8,}")
# A pair's name: a header, a tag, a cookie or query parameter ('X-Forwarded-For', 'user.email')
_PAIR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:\-\[\]]{0,63}")
ARRAY = "#"  # an array position in a level's shape (any position)
# The keys of a {name, value} field object: the name's key, the value's
FIELD_NAME_KEYS = ("name", "key", "label")
FIELD_VALUE_KEY = "value"
MAX_FIELD_NAME = 64  # characters of a field's name (longer: text, no label)

Shape = tuple[str, ...]


def is_pairs(value: Any) -> bool:
    """A list of [name, value] pairs (Sentry's headers, cookies, tags, query string)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and _PAIR_NAME.fullmatch(pair[0]) is not None
            and not isinstance(pair[1], dict | list)
            for pair in value
        )
    )


# A triple's field name: a lowercase identifier (Frappe's fieldnames: 'email_id',
# 'mobile_no'), not a person's name heading a row of a grid ('Alice', 'Smith', ...)
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
TRIPLE = 3


def is_field_triples(value: Any) -> bool:
    """A list of [field name, old, new] changes (Frappe's tabVersion `changed`, each
    field once), the values scalars or null."""
    if not isinstance(value, list) or not value:
        return False
    names = []
    for change in value:
        if not (
            isinstance(change, list)
            and len(change) == TRIPLE
            and isinstance(change[0], str)
            and _FIELD_NAME.fullmatch(change[0]) is not None
            and not any(isinstance(v, dict | list) for v in change[1:])
        ):
            return False
        names.append(change[0])
    return len(set(names)) == len(names)


def named_pair(item: Any) -> tuple[str, str] | None:
    """The (name key, name) of a {name, value} field object ('Website', 'Email'), whose
    value is a scalar; None for any other element."""
    if not isinstance(item, dict) or isinstance(item.get(FIELD_VALUE_KEY), dict | list):
        return None
    if FIELD_VALUE_KEY not in item:
        return None
    for key in FIELD_NAME_KEYS:
        name = item.get(key)
        if isinstance(name, str) and 0 < len(name.strip()) <= MAX_FIELD_NAME:
            return key, name
    return None


def is_named_pairs(value: Any) -> bool:
    """A list of {name, value} objects (profile fields, tags), every element one."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(named_pair(item) is not None for item in value)
    )


def _looks_like_id(key: str) -> bool:
    if _ID.fullmatch(key) is None:
        return False
    if key.isdigit():
        return True
    has_digit = any(c.isdigit() for c in key)
    mixed = any(c.islower() for c in key) and any(c.isupper() for c in key)
    return (has_digit and (len(key) >= 12 or "-" in key)) or (mixed and len(key) >= 20)


def _levels(value: Any, shape: Shape, dynamic: frozenset[Shape]) -> Iterator[tuple[Shape, Any]]:
    """(shape, object) for every object in a document, shapes as the walk names them."""
    if isinstance(value, dict):
        yield shape, value
        wild = shape in dynamic
        for key, item in value.items():
            yield from _levels(item, (*shape, WILDCARD if wild else key), dynamic)
    elif isinstance(value, list) and not is_pairs(value):
        for item in value:
            yield from _levels(item, (*shape, ARRAY), dynamic)


def id_levels(documents: list[Any]) -> frozenset[Shape]:
    """The object levels (shapes) whose keys look like ids across the documents."""
    dynamic: frozenset[Shape] = frozenset()
    for _ in range(MAX_ROUNDS):
        keys: dict[Shape, Counter[str]] = {}
        for doc in documents:
            for shape, obj in _levels(doc, (), dynamic):
                if shape not in dynamic:
                    keys.setdefault(shape, Counter()).update(obj.keys())
        found = {
            shape
            for shape, counted in keys.items()
            if len(counted) >= MIN_ID_KEYS
            and sum(map(_looks_like_id, counted)) >= ID_SHARE * len(counted)
            and counted.total() <= MAX_REPEAT * len(counted)
        }
        if not found:
            break
        dynamic |= found
    return dynamic


class PairNames(list[str]):
    """The names at a pair list's `*.0`: judged by themselves, not by the list's key
    (`cookies` names a credential; its pairs' names 'sessionid', 'csrftoken' are none)."""


class PairValues(list[str]):
    """The values at a pair list's `*.1`, with each one's pair name (same order)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def add(self, value: str, name: str) -> None:
        self.append(value)
        self.names.append(name)

    def by_name(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for value, name in zip(self, self.names, strict=True):
            out.setdefault(name, []).append(value)
        return out


Judge = Callable[[str, tuple[str, ...]], Any]


def pair_finding(
    path: str, values: PairValues, judge: Judge, make: Callable[..., Any]
) -> Any | None:
    """The finding for every value of a pair list (`request.headers.*.1`): each pair
    name's values judged as a key of that name ('Cookie', 'Authorization', an IP under
    'X-Forwarded-For'). One kind for every name: that kind ('query_string' of emails);
    kinds that differ, or names holding nothing personal beside them: a hash of each
    value, which fits them all and keeps every pair a pair."""
    prefix = join_path(path_parts(path)[:-2])  # the list's own path
    named = values.by_name()
    found = {}
    for name, own in named.items():
        finding = judge(f"{prefix}.{quote_key(name)}" if prefix else quote_key(name), tuple(own))
        if finding is not None:
            found[name] = finding
    if not found:
        return judge(path, tuple(values))  # by the values alone
    kinds = {f.kind for f in found.values()}
    listed = ", ".join(f"{n} ({f.kind})" for n, f in sorted(found.items())[:6])
    if len(kinds) == 1 and len(found) == len(named):
        first = next(iter(found.values()))
        return make(path, first.kind, f"pairs named {listed}: {first.reason}", rules=first.rules)
    return make(
        path,
        "secret",
        f"name and value pairs in any order, personal under {listed}: every value hashed, "
        "the names and pairs kept",
        rules=(("hash", {}),),
    )
