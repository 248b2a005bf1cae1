"""Profile addresses in a JSON document: the login in their path masked like the login.

A GitHub user object (Logto's users.identities `github.details.rawData`, Supabase's
identity_data) holds `login` 'coliva' beside `html_url` 'https://github.com/coliva'
and `url` 'https://api.github.com/users/coliva': the login was hashed, the addresses
kept and gave it back. A path of web addresses in the same object as a path found to
hold logins, most of whose sampled addresses hold one of those logins as a whole path
segment, gets `url_path` after the segment before it (the host 'github.com', or
'users'), the login's rule inside: the address stays one, its login masked as the bare
login is, so the two still agree ('https://github.com/u3f9c...'). Without such a
login, addresses at the hosts of people's pages (url_accounts.py: github.com,
linkedin.com/in, twitter.com...) holding several accounts, beside a person's name,
email or login in their object, get the same rule by their account's place. Pure
logic over json_paths' sample.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise
from typing import Any

from dbrefresh.rules import pii, url_accounts
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.rules.user_ids import LOGIN_RULE
from dbrefresh.strategies.email import SERVICE_SENDER
from dbrefresh.strategies.jsonb_pathsyntax import path_parts
from dbrefresh.strategies.url_path import AT, WORD

# A person's own site under these keys beside their name or login (GitHub's `blog`
# 'https://wroskoth92.dev'): `url` or `web` alone may be the app's own address
_SITE_WORDS = """blog blog_url website web_site website_url homepage home_page homepage_url
webpage web_page personal_url personal_website user_url"""
SITE_KEYS = frozenset(_SITE_WORDS.split())
SITE_PREFIX = "https://example.com/"  # hashed behind it: still a web address
_NAMED_KINDS = frozenset({"first_name", "last_name", "full_name", "username"})
SHARE = 0.5  # of the sampled addresses, holding a login
MIN_LOGINS = 3  # different logins found
WORD_SHARE = 0.05  # of the hits, after a word: the word listed
MAX_WORDS = 4
# kinds beside an address that make its object a person's
_PERSON_KINDS = frozenset({"email", "first_name", "last_name", "full_name", "username"})
# a service's own mailbox (a repository's security@) makes no object a person's
_SERVICE = re.compile(SERVICE_SENDER, re.IGNORECASE)
# an account object's `type` saying it is no person's (GitHub's owner of rails/rails)
_NOT_PERSONS = frozenset({"organization", "organisation", "org", "bot", "team", "group"})


def _segments(value: str) -> list[str] | None:
    """The host and path segments of a web address, or None for another value."""
    text = value.strip()
    if not text.lower().startswith(("https://", "http://")):
        return None
    path = text.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return path.split("/")


def _held(segments: list[str], logins: Collection[str]) -> tuple[str, str] | None:
    """The segment before a login (a host, a word, '@') and the login, if one is held."""
    for before, segment in pairwise(segments):
        if segment.startswith(AT) and segment[1:] in logins:
            return AT, segment[1:]
        if segment in logins:
            return before, segment
    return None


def _profile(value: str) -> tuple[str, str] | None:
    """The segment before the account of an address at a host of people's pages."""
    segments = _segments(value)
    account = url_accounts.account_in_folder(value)
    if segments is None or account is None or account not in segments[1:]:
        return None
    at = segments.index(account, 1)
    return segments[at - 1], account


def _words(values: Sequence[str], logins: Collection[str] | None) -> list[str] | None:
    """The segments after which most addresses hold a login (`logins`; None: an account
    at a host of people's pages), or None."""
    found: Counter[str] = Counter()
    accounts: set[str] = set()
    addresses = 0
    for value in values:
        if (segments := _segments(value)) is None:
            continue
        addresses += 1
        held = _held(segments, logins) if logins is not None else _profile(value)
        if held is not None:
            found[held[0]] += 1
            accounts.add(held[1])
    hits = found.total()
    if not hits or hits < SHARE * addresses or len(accounts) < MIN_LOGINS:
        return None
    words = sorted(w for w, n in found.items() if n >= WORD_SHARE * hits)
    if len(words) > MAX_WORDS or any(w != AT and not WORD.fullmatch(w) for w in words):
        return None
    return words


def _someones(addresses: Sequence[str]) -> bool:
    """Whether some sampled address is no service's own (security@, noreply@)."""
    return any(a.strip() and not _SERVICE.match(a) for a in addresses)


def _no_persons(paths: Mapping[str, Sequence[str]], path: str) -> bool:
    """Whether the address's object says by its `type` (most sampled values) that it is
    an organisation's or a bot's, not a person's: GitHub's owner objects do."""
    parts = path_parts(path)
    sibling = path[: len(path) - len(parts[-1])] + "type"
    kinds = [v.strip().lower() for v in paths.get(sibling, ()) if v.strip()]
    return bool(kinds) and 2 * sum(k in _NOT_PERSONS for k in kinds) > len(kinds)


def address_words(values: Sequence[str], held: Collection[str]) -> list[str] | None:
    """The segments after which most addresses hold one of `held` (logins, ids), or None."""
    return _words(values, held)


def path_findings(
    found: Mapping[str, PathFinding], paths: Mapping[str, Sequence[str]]
) -> dict[str, PathFinding]:
    """`url_path` findings for the paths of profile addresses beside a login (or a
    person) in their object."""
    logins: dict[tuple[str, ...], set[str]] = {}
    persons = set()
    for f in found.values():
        parent = tuple(path_parts(f.path)[:-1])
        if f.kind == "username":
            logins.setdefault(parent, set()).update(v.strip() for v in paths.get(f.path, ()))
        if f.kind in _PERSON_KINDS and (f.kind != "email" or _someones(paths.get(f.path, ()))):
            persons.add(parent)
    out = {}
    for path, values in paths.items():
        parent = tuple(path_parts(path)[:-1])
        if _no_persons(paths, path):
            continue  # an organisation's repositories: public, and nothing hidden
        words = _words(values, logins[parent]) if parent in logins else None
        how = "the login beside it"
        if words is None and parent in persons:
            words, how = _words(values, None), "an account at a host of people's pages"
        if words is None:
            continue
        after = ", ".join(repr(w) for w in words)
        rule: dict[str, Any] = {"after": words, "rule": dict(LOGIN_RULE)}
        why = (
            f"web addresses holding {how} after {after}: that part masked as logins are, "
            "the rest of the address kept"
        )
        out[path] = PathFinding(path, "username", why, rules=(("url_path", rule),))
    return out


def site_findings(
    found: Mapping[str, PathFinding], paths: Mapping[str, Sequence[str]]
) -> dict[str, PathFinding]:
    """A person's own web site (a key naming one, beside their name or login in the same
    object, most sampled values web addresses): a site that stays a web address,
    as a column so named gets (handles.py). Its host held the login: 'wroskoth92.dev'."""
    named = {tuple(path_parts(f.path)[:-1]) for f in found.values() if f.kind in _NAMED_KINDS}
    out = {}
    for path, values in paths.items():
        parts = path_parts(path)
        if tuple(parts[:-1]) not in named or pii.normalize(parts[-1]) not in SITE_KEYS:
            continue
        sample = [v for v in values if v.strip()]
        sites = sum(_segments(v) is not None for v in sample)
        if not sample or 2 * sites < len(sample):
            continue
        why = (
            f"{sites} of {len(sample)} sampled values are web addresses under a key naming "
            "a person's own site, beside their name or login: another address at example.com"
        )
        out[path] = PathFinding(path, "url", why, rules=(("hash", {"prefix": SITE_PREFIX}),))
    return out
