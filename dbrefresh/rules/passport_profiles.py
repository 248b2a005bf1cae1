"""A login's provider profile (Passport's `profile` object) in a JSON column: its ids masked
alike wherever they are, in `rules init`.

HedgeDoc keeps the profile its login strategy returned in `"Users".profile` (text):
{"id": "6982469", "provider": "github", "username": ..., "photos": [{"value":
'https://avatars.githubusercontent.com/u/6982469?v=4'}], "_json": {"id": 6982469,
"avatar_url": ...}}, and `profileid` 'github-6982469' (or 'LDAP-<login>') beside it.
The login and names were masked; the GitHub id (which resolves at
api.github.com/user/ID), the LDAP login in `id`, the avatar addresses holding the id and
`profileid` were kept, and the avatar in `_json` got `file_name` (hex, unlike the id).
No key named the provider: its name is the *value* of `provider`.

A document whose `provider` names identity providers (most sampled values), beside
Passport's keys (`displayName`, `_json`...) and masked paths of a person, is such a
profile (an `id` beside `provider` alone may be this database's key): its `id` (and an
id key one object down: Passport's raw `_json.id`) gets `forms` (digits alike
everywhere, a UUID another, any other form, an LDAP login, hashed as usernames are: it
then agrees with `username`); addresses holding those ids as a path segment get
`url_path` with the digits rule (json_profile_urls' test, ids for logins): the id in
the avatar masked as `id` is. A kept text column of the table whose values are
'<label>-<id>' or '<label>:<id>' (the rest one of the documents' ids) gets `prefixed`:
the label kept, the rest masked by the id's rule, so 'github-6982469' still names the
profile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import json_paths, json_profile_urls, mixed_forms, pii
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.provider_ids import PROVIDERS
from dbrefresh.rules.user_ids import LOGIN_RULE
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

PROVIDER_KEY = "provider"
# Keys of Passport's normalized profile (passport.js, its strategies, HedgeDoc's LDAP
# one): beside `provider`, they tell a profile from a row keyed by this database's `id`
PROFILE_KEYS = frozenset({"displayName", "_json", "_raw", "profileUrl", "photos"})
# Login strategies' names beyond PROVIDERS (Passport's, HedgeDoc's)
_MORE = "ldap saml oauth oauth2 oidc openid openidconnect dropbox mattermost atlassian"
PROVIDER_SHARE = 0.8  # of the sampled `provider` values, a login provider's name
MIN_PROFILES = 3
ID_KEYS = frozenset({"id", "user_id", "uid", "account_id"})
NUMBER_RULE = mixed_forms.NUMBER_RULE
MIN_URL_ID = 4  # digits of an id looked for in addresses (a '1' is anything's)
LABEL_SHARE = 0.8  # of a column's sampled values, '<provider>-<rest>'
REST_SHARE = 0.5  # of those, the rest an id of the sampled documents
_LABELLED = re.compile(r"([A-Za-z][A-Za-z0-9_.]*[-:])(\S+)")


def id_rule() -> dict[str, Any]:
    """A profile's id by its form: digits alike everywhere, a UUID another, a login
    hashed as usernames are."""
    cases = {"number": dict(NUMBER_RULE), "uuid": {"strategy": "uuid"}}
    return {"strategy": "forms", "cases": cases, "default": dict(LOGIN_RULE)}


def _providers(values: Sequence[str]) -> set[str] | None:
    """The providers named by most sampled `provider` values (lower-cased), or None."""
    known = PROVIDERS | frozenset(_MORE.split())
    sample = [v.strip().lower() for v in values if v.strip()]
    named = [v for v in sample if v in known]
    if len(named) < max(MIN_PROFILES, PROVIDER_SHARE * len(sample)):
        return None
    return set(named)


def _id_paths(paths: Mapping[str, Sequence[str]], masked: Mapping[str, Any]) -> list[str]:
    """The profile's id keys: at its top, or one object down (Passport's `_json.id`)."""
    out = []
    for path in paths:
        parts = path_parts(path)
        if path in masked or pii.normalize(parts[-1]) not in ID_KEYS or len(parts) > 2:
            continue
        if len(parts) == 2 and (parts[0].isdigit() or parts[0] == "*"):
            continue
        out.append(path)
    return out


def _url_paths(
    paths: Mapping[str, Sequence[str]], ids: set[str], masked: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """`url_path` rules for the addresses holding the numeric ids (avatars), and why."""
    numbers = {i for i in ids if i.isdigit() and len(i) >= MIN_URL_ID}
    found: dict[str, Any] = {}
    why = []
    for path, values in paths.items():
        rule = masked.get(path)
        name = rule.get("strategy") if isinstance(rule, dict) else rule
        if name not in {None, "file_name", "keep"} or not numbers:
            continue
        words = json_profile_urls.address_words(values, numbers)
        if words is None:
            continue
        found[path] = {"strategy": "url_path", "after": words, "rule": dict(NUMBER_RULE)}
        after = ", ".join(repr(w) for w in words)
        why.append(f"{path}: addresses holding the profile's id after {after}: masked as the id")
    return found, why


def mask_document(
    name: str, proposal: ColumnProposal, strategies: Mapping[str, Strategy[Any]], table: Table
) -> set[str] | None:
    """Mask a profile column's ids and the addresses holding them (the proposal made or
    extended); the sampled ids (as text) when it is one, else None."""
    read = proposal.documents
    if read is None or (providers := _providers(read.paths.get(PROVIDER_KEY, ()))) is None:
        return None
    if not any(path_parts(p)[0] in PROFILE_KEYS for p in read.paths):
        return None
    masked: dict[str, Any] = dict(proposal.params.get("paths", {}))
    if proposal.strategy != "jsonb" or not masked:
        return None  # no person's data beside it: an integration's config
    id_paths = _id_paths(read.paths, masked)
    ids = {v.strip() for p in id_paths for v in read.paths[p] if v.strip()}
    if len(ids) < MIN_PROFILES:
        return None
    found = {p: id_rule() for p in id_paths}
    urls, url_why = _url_paths(read.paths, ids, masked)
    found, collapsed = json_paths.collapse_array_paths({**found, **urls}, read.arrays)
    paths = {**{p: r for p, r in masked.items() if p not in found}, **found}
    document = column_context(table, table.columns[name], unique=name in table.unique_columns())
    for rule in found.values():
        strategy = rule["strategy"]
        params = {k: v for k, v in rule.items() if k != "strategy"}
        if not fits(strategies[strategy], params, path_context(document, "text")):
            return None
    if not fits(strategies["jsonb"], {"paths": paths}, document):
        return None
    proposal.params["paths"] = paths
    said = ", ".join(sorted(providers))
    replaced = tuple(f"{p}: " for p in urls)  # photo_urls' file_name reason
    proposal.why = [w for w in proposal.why if not w.startswith(replaced)]
    proposal.why += [
        f"{', '.join(id_paths)}: the account's id in a login profile of {said} "
        "(its `provider`): digits alike everywhere, a UUID another, a login hashed as "
        "usernames are",
        *url_why,
        *collapsed,
    ]
    return ids


def label_column(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str]],
    strategies: Mapping[str, Strategy[Any]],
    ids: set[str],
    keys: set[str],
) -> None:
    """Kept text columns of '<provider>-<id>' values ('github-6982469'): `prefixed`,
    the label kept and the id masked as the profile's is."""
    for name, proposal in list(proposals.items()):
        column = table.columns[name]
        if proposal.masked or name in keys or column.generated or not column.type.is_text:
            continue
        sample = [v.strip() for v in samples.get(name) or () if v.strip()]
        held = [m for v in sample if (m := _LABELLED.fullmatch(v))]
        rests = [m for m in held if m.group(2) in ids]
        if len(held) < max(MIN_PROFILES, LABEL_SHARE * len(sample)):
            continue
        if len(rests) < max(MIN_PROFILES, REST_SHARE * len(held)):
            continue
        labels = sorted({m.group(1) for m in held})
        params: dict[str, Any] = {"cases": {label: id_rule() for label in labels}}
        params["default"] = dict(LOGIN_RULE)
        unique = name in table.unique_columns()
        if not fits(strategies["prefixed"], params, column_context(table, column, unique=unique)):
            continue
        why = (
            f"{len(rests)} of {len(sample)} sampled values are a login provider and the "
            "account's id of the profile documents beside them: the label kept, the id "
            "masked as the profile's is (they still agree)"
        )
        proposals[name] = ColumnProposal(
            name, "prefixed", params, unique=unique, kind="account_id", why=[why]
        )


def propose(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: set[str],
) -> None:
    """Mask the table's login profiles' ids and their '<provider>-<id>' copies, in place."""
    ids: set[str] = set()
    for name, proposal in list(proposals.items()):
        if proposal.documents is not None and name not in keys:
            ids |= mask_document(name, proposal, strategies, table) or set()
    if ids:
        label_column(table, proposals, samples, strategies, ids, keys)
