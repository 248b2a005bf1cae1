"""Identity providers' account ids in `rules init`: masked by their form, alike everywhere.

Supabase's auth.identities.provider_id and identity_data's `sub`/`provider_id`, its
users' raw_user_meta_data, Ory Kratos's identity_credentials.config
`providers[].subject`: the person's Google `sub` ('441098728677550620481') or GitHub
user id, which lead straight to their account, were kept (no name or value detector
knew them). A column or JSON key named like a subject (sub, subject, provider_id, Wiki.js's
camelCase providerId; Grafana's auth_id beside its auth_module, ...)
in an identity context (a table about identities, credentials, OAuth or other logins,
accounts or users, not of posts, messages or media; in a document beside `iss`,
another subject key, or under `providers`), whose sampled
values are mostly account numbers, gets `forms` with `number: {strategy: digits,
unique: true}`: digits stay digits, the length stays, and one id masks alike in every
column and path (the permutation reads the digits alone), so identities still join
users' metadata. Values of no such form are kept: a Supabase email identity's
provider_id is the user's own UUID, which GoTrue looks up.

Logto's users.identities keys each identity by its provider ({"github": {"userId":
..., "details": {"id": ..., "rawData": {"id": 38029838, "node_id": ...}}}}): no
subject key, and the GitHub account's ids were kept. In a JSON column or table about
identities, an id key (`id`, `userId`, `uid`, `node_id`...) under a key naming a
provider (github, google, apple...) is that provider's account: `forms` with digits for
numbers, `uuid` for UUIDs, `hash` for any other form. An id elsewhere in the document
(this database's own key) is kept.

Immich's users."oauthId" ('173404942870030266', a Keycloak UUID or an Authentik hex
elsewhere) is the subject at the instance's OIDC provider: named for OAuth or OIDC
(OAUTH_KEYS), in a table about users, it is masked whatever its form: numbers as
digits, UUIDs as UUIDs, anything else hashed (every form keyed, so one subject masks
alike in every column).

Mixed columns: an `email` proposal whose sample also held phone numbers or account ids
('google:<sub>') is noted here and becomes `forms` (mixed_forms.py), its 'google:<sub>'
values masked as the bare id is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import json_paths, mixed_forms, pii
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import SAMPLED_PATHS, ColumnProposal
from dbrefresh.rules.user_ids import LOGIN_RULE
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.jsonb_pathsyntax import join_path, path_parts

# Names of an identity provider's account id (Auth.js's providerAccountId too)
SUBJECT_KEYS = frozenset(
    {
        "sub",
        "subject",
        "provider_id",
        "provider_user_id",
        "provider_uid",
        "provider_account_id",
        "provideraccountid",
        "federated_user_id",
    }
)
# Names of the subject at an OAuth or OIDC provider (Immich's users."oauthId"): every
# form of theirs is the account's id there, masked as its form
OAUTH_KEYS = frozenset(
    {
        "oauth_id",
        "oauth_uid",
        "oauth_user_id",
        "oauth_sub",
        "oauth_subject",
        "oidc_id",
        "oidc_sub",
        "oidc_subject",
        "oidc_user_id",
        "openid_id",
        "sso_id",
        "sso_subject",
        "external_subject",
        "external_subject_id",
    }
)
OAUTH_CASES = {"number": {"strategy": "digits", "unique": True}, "uuid": {"strategy": "uuid"}}
OAUTH_DEFAULT = {"strategy": "hash"}
# ...of which these say "an account" themselves: beside a `provider` column, enough
# (Auth.js's accounts(provider, "providerAccountId"); a `sub` there may be a subscription)
ACCOUNT_KEYS = frozenset(
    {"provider_user_id", "provider_uid", "provider_account_id", "provideraccountid"}
)
PROVIDER_COLUMNS = frozenset({"provider", "identity_provider", "provider_name"})
# Names an account id has only beside the column naming its provider: Grafana's
# user_auth(auth_module 'oauth_google', auth_id '1098...'); an `auth_id` alone may be
# anything's id
PAIRED_KEYS = {"auth_id": frozenset({"auth_module", "auth_provider", "provider"})}
# Tables (and JSON columns) about logins through another provider ('social' alone says
# nothing: a brand's social_posts.provider_id is its own post's id at the network)
_IDENTITY = re.compile(
    r"identit|credential|auth(?!or)|login|federat|(?:^|[\W_])sso|openid|oidc", re.IGNORECASE
)
# ...or about accounts and users, which such an id names
_ACCOUNTS = re.compile(r"account|user", re.IGNORECASE)
# Tables of what is published or sent, whose ids at a provider are no one's account
_PUBLISHED = re.compile(
    r"post|message|media|content|comment|tweet|status|feed|subscri", re.IGNORECASE
)
# Keys beside a subject in an OIDC claim set or a provider's entry
_CLAIM_KEYS = frozenset({"iss", "issuer"})
_PROVIDER_LISTS = frozenset({"providers", "identities"})
MIN_IDS = 3
MIN_SHARE = 0.3  # of the sampled values: the others may be UUIDs (email identities)
LOGIN_SHARE = 0.1  # of the sampled values neither numbers nor UUIDs: logins, hashed
MIXED_RULES = frozenset({"email", "phone", "digits"})  # whose other forms leak or break
NUMBER_RULE = mixed_forms.NUMBER_RULE
# Identity providers whose object, keyed by the provider's name in a column or table
# about identities, holds the person's account there (Logto's users.identities
# {"github": {"userId": ..., "details": {"id": ..., "rawData": {"id", "node_id"}}}})
_PROVIDER_NAMES = """github gitlab bitbucket google facebook apple twitter microsoft azure
azuread azure_ad linkedin discord slack wechat kakao naver instagram tiktok twitch spotify
okta auth0 keycloak yahoo amazon paypal"""
PROVIDERS = frozenset(_PROVIDER_NAMES.split())
# ...and the keys there that are the account's id (not Logto's own `identities` ids:
# a user's id is no key inside a provider's object)
PROVIDER_ID_KEYS = frozenset(
    {"id", "user_id", "uid", "node_id", "account_id", "open_id", "openid", "union_id"}
)
PROVIDER_WHY = (
    "digits stay digits of the same length (alike wherever the id is), a UUID another, "
    "any other form hashed"
)
NUMBER_WHY = (
    "digits keep their form and mask alike wherever the id is (a column, a JSON path, "
    "'google:<id>'); other values (a UUID) kept"
)


def is_account(value: str) -> bool:
    """An account number, alone or after a 'provider:' prefix."""
    return mixed_forms.is_account(value)


def _accounts(values: Sequence[str], *, oauth: bool = False) -> str | None:
    """'N of M sampled values look like ...' when enough are account numbers (for a
    column named for OAuth, any non-blank values: ids of any form)."""
    sample = [v for v in values if v.strip()]
    if oauth:
        if len(sample) < MIN_IDS:
            return None
        return f"{len(sample)} sampled values are ids there"
    found = sum(1 for v in sample if is_account(v))
    if found < max(MIN_IDS, MIN_SHARE * len(sample)):
        return None
    return f"{found} of {len(sample)} sampled values look like account numbers"


def forms_rule() -> dict[str, Any]:
    """Account numbers masked (digits, alike everywhere), every other value kept."""
    return {"cases": {"number": dict(NUMBER_RULE)}}


def _logins(values: Sequence[str]) -> str | None:
    """Why the values that are no account number are masked as logins, when enough of
    them are neither numbers nor UUIDs (Grafana's user_auth.auth_id: an LDAP login
    beside Google's subjects, kept by a `forms` meant to keep a Supabase UUID)."""
    sample = [v.strip() for v in values if v.strip()]
    other = [v for v in sample if not is_account(v) and not mixed_forms.is_uuid(v)]
    if len(other) < max(MIN_IDS, LOGIN_SHARE * len(sample)):
        return None
    return (
        f"digits keep their form and mask alike wherever the id is; {len(other)} of "
        f"{len(sample)} sampled values are neither numbers nor UUIDs (logins): hashed as "
        "usernames are"
    )


def keeps_identifiers(proposal: ColumnProposal) -> bool:
    """`forms` masking account numbers only, keeping the rest: the
    text values rules init samples of it (UUIDs: a Supabase email identity's
    provider_id is its user's id) stay as they are, so they copy nothing masked."""
    params = proposal.params
    return (
        proposal.strategy == "forms"
        and params.get("default", "keep") == "keep"
        and set(params.get("cases", {})) == {"number"}
    )


def propose(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: set[str],
) -> dict[tuple[str, str], mixed_forms.Mixed]:
    """Mask the table's provider account ids (columns and JSON paths), in place; and
    what its email, phone and digits columns hold besides their own form (applied
    later: mixed_forms.apply_mixed)."""
    forms = strategies["forms"]
    about_identities = bool(
        (_IDENTITY.search(table.name) or _ACCOUNTS.search(table.name))
        and not _PUBLISHED.search(table.name)
    )
    providers = any(c.lower() in PROVIDER_COLUMNS for c in table.columns)
    names = {pii.normalize(c) for c in table.columns}
    mixed: dict[tuple[str, str], mixed_forms.Mixed] = {}
    for name, proposal in list(proposals.items()):
        column = table.columns[name]
        values = samples.get(name) or ()
        if proposal.strategy in MIXED_RULES:
            if (held := mixed_forms.held(proposal.strategy, values)) is not None:
                mixed[(table.qualified, name)] = held
            continue
        if (
            logins := mixed_forms.login_emails(proposal.kind, proposal.strategy, values)
        ) is not None:
            mixed[(table.qualified, name)] = logins  # OpenProject's users.login
            continue
        if (ids := mixed_forms.held_ids(proposal.strategy, values)) is not None:
            mixed[(table.qualified, name)] = ids  # PostHog's distinct_id
            continue
        if proposal.documents is not None and proposal.strategy in {"keep", "jsonb"}:
            _json_ids(table, proposals, name, proposal, strategies)
            continue
        if (
            proposal.masked
            or name in keys
            or column.generated
            or not column.type.is_text
            or not (subject := _subject(name, names))
            or not (about_identities or (providers and subject in ACCOUNT_KEYS))
            or (found := _accounts(values, oauth=subject in OAUTH_KEYS)) is None
        ):
            continue
        params = forms_rule()
        why = [f"name suggests an identity provider's account id, {found}", NUMBER_WHY]
        if subject in OAUTH_KEYS:
            params = {"cases": dict(OAUTH_CASES), "default": dict(OAUTH_DEFAULT)}
            why = [why[0], "numbers as digits, UUIDs as UUIDs, other forms hashed"]
        elif (others := _logins(values)) is not None:  # an LDAP login beside Google's
            params["default"] = dict(LOGIN_RULE)
            why = [why[0], others]
        unique = name in table.unique_columns()
        if fits(forms, params, column_context(table, column, unique=unique)):
            proposals[name] = ColumnProposal(
                name, "forms", params, unique=unique, kind="account_id", why=why
            )
    return mixed


def provider_rule() -> dict[str, Any]:
    """A provider's account id masked by its form, a fresh mapping for each path: an
    account number keeps its digits, a UUID (Microsoft's oid) becomes another, any other
    form (GitHub's node_id, base64 of 'User<id>') is hashed."""
    return {"cases": {"number": dict(NUMBER_RULE), "uuid": {"strategy": "uuid"}}, "default": "hash"}


def _in_provider(parts: Sequence[str]) -> str | None:
    """The provider whose object holds the path's id key (`github` in
    'github.details.rawData.id'), or None: another key, or no provider's object."""
    if pii.normalize(parts[-1]) not in PROVIDER_ID_KEYS:
        return None
    return next((p for p in parts[:-1] if p.lower() in PROVIDERS), None)


def _subject(name: str, columns: set[str]) -> str:
    """The subject key a column's name is ('providerId' -> 'provider_id'), or ''."""
    norm = pii.normalize(name)
    if name.lower() in SUBJECT_KEYS:
        return name.lower()
    if norm in SUBJECT_KEYS | OAUTH_KEYS or columns & PAIRED_KEYS.get(norm, frozenset()):
        return norm
    return ""


def _json_ids(
    table: Table,
    proposals: dict[str, ColumnProposal],
    name: str,
    proposal: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """Subject keys of a JSON column's sampled documents holding account numbers: a
    `forms` path each (the column's jsonb rule made, or added to)."""
    read = proposal.documents
    assert read is not None
    identity_named = bool(_IDENTITY.search(f"{table.name} {name}")) and not _PUBLISHED.search(
        table.name
    )
    masked = proposal.params.get("paths", {}) if proposal.strategy == "jsonb" else {}
    found: dict[str, Any] = {}
    why: list[str] = []
    for path, values in read.paths.items():
        parts = path_parts(path)
        if path in masked:
            continue
        if identity_named and (provider := _in_provider(parts)) is not None:
            # Logto's identities.github.userId, details.id, rawData.id and node_id
            found[path] = {"strategy": "forms", **provider_rule()}
            why.append(f"{path}: an account's id at {provider}: {PROVIDER_WHY}")
            continue
        if parts[-1].lower() not in SUBJECT_KEYS:
            continue
        siblings = {join_path((*parts[:-1], k)) for k in (*_CLAIM_KEYS, *SUBJECT_KEYS)}
        context = (
            identity_named
            or any(p.lower() in _PROVIDER_LISTS for p in parts[:-1])
            or any(s in read.paths for s in siblings if s != path)
        )
        if context and (count := _accounts(values)) is not None:
            found[path] = {"strategy": "forms", **forms_rule()}
            why.append(f"{path}: key suggests an identity provider's account id, {count}")
    if not found:
        return
    found, collapsed = json_paths.collapse_array_paths(found, read.arrays)
    found = {p: r for p, r in found.items() if p not in masked}
    paths = {**masked, **found}
    table_column = table.columns[name]
    document = column_context(table, table_column, unique=name in table.unique_columns())
    if not fits(strategies["forms"], provider_rule(), path_context(document, "text")):
        return
    if not fits(strategies["jsonb"], {"paths": paths}, document):
        return
    subjects = [p for p, r in found.items() if r.get("default") != "hash"]
    said = [f"{', '.join(subjects)}: {NUMBER_WHY}"] if subjects else []
    if proposal.strategy == "jsonb":
        proposal.params["paths"] = paths
        proposal.why += [*why, *collapsed, *said]
        return
    proposals[name] = ColumnProposal(
        name,
        "jsonb",
        {"paths": paths},
        kind="json",
        why=[
            *why,
            *collapsed,
            *said,
            SAMPLED_PATHS,
            *proposal.why,
        ],
        documents=read,
    )
