"""Messenger handles and profile addresses of people, masked in a shape kept plausible.

Moodle's mdl_user (up to 3.11) has `icq`, `skype`, `yahoo`, `aim`, `msn` and `url`;
other applications `twitter`, `linkedin`, `github`, `website`. Their values
('live:shaun.castro1', '@shauncastro1', 'https://www.linkedin.com/in/shaun-castro-1',
'https://shauncastro.blog.example') name one person each, yet no detector knew them:
only the ones holding email addresses were masked. In a table about people (a
company's website is no one's), a column so named is masked: a URL by a template that
stays a URL, digits (an ICQ number) digit by digit, a handle by a hash behind the
handle's own marker ('@', 'live:'). Only a column still kept once copies are judged
(copies.py) is masked so: GitLab's twitter copying the username is masked like it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.propose import column_context, fits
from dbrefresh.strategies.base import ColumnContext, Strategy

Candidate = tuple[str, dict[str, Any]]
Proposals = dict[str, dict[str, ColumnProposal]]

# services whose account names or profile links a person's row holds
_SERVICE_WORDS = (
    "icq skype yahoo aim msn jabber xmpp twitter linkedin facebook github gitlab bitbucket "
    "instagram telegram mastodon tiktok youtube snapchat discord wechat qq xing vk weibo "
    "reddit bluesky keybase stackoverflow pinterest flickr"
)
SERVICES = frozenset(_SERVICE_WORDS.split())
# words beside a service's name that still name the account ('twitter_handle')
_ACCOUNT = frozenset(
    {"id", "handle", "username", "user", "name", "url", "link", "profile", "account", "page"}
)
# whole names of a person's own web address (WordPress's wp_users.user_url)
_URL_NAMES = (
    "url homepage home_page website web_site webpage web_page www blog blog_url website_url "
    "homepage_url personal_url personal_website profile_url user_url web_url web_address "
    "home_url web"
)
URLS = frozenset(_URL_NAMES.split())
# profile addresses at the service itself: the site stays, the account is hidden
_SITES = {
    "linkedin": "https://www.linkedin.com/in/",
    "twitter": "https://twitter.com/",
    "facebook": "https://www.facebook.com/",
    "github": "https://github.com/",
    "instagram": "https://www.instagram.com/",
}
_URL = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)
_MARKERS = ("live:", "@")  # a Skype name's, a Twitter or Mastodon handle's
_FLAGS = frozenset({"0", "1", "t", "f", "true", "false", "yes", "no", "y", "n"})
SHORT_HEX = 12  # a handle's length, where the column need not stay unique


def _service(norm: str) -> str | None:
    words = norm.split("_")
    services = [w for w in words if w in SERVICES]
    if len(services) == 1 and all(w in SERVICES or w in _ACCOUNT for w in words):
        return services[0]
    return None


def _candidates(
    service: str | None, values: Sequence[str], unique: bool
) -> tuple[list[Candidate], str]:
    """What to try, in order, and why: by what the sampled values look like."""
    sample = [v.strip() for v in values if v.strip()]
    urls = sum(1 for v in sample if _URL.match(v))
    if (not sample and service is None) or (sample and 2 * urls >= len(sample)):
        site = _SITES.get(service or "", "https://example.com/")
        why = f"{urls} of {len(sample)} sampled values are web addresses" if sample else ""
        return [("template", {"template": site + "{hash}"})], why or "a web address"
    if sample and all(v.isdigit() for v in sample):
        digits = {"unique": True} if unique else {}
        return [("digits", digits)], "its sampled values are numbers: digits keeps them so"
    marker = next(
        (m for m in _MARKERS if 2 * sum(v.startswith(m) for v in sample) > len(sample)), ""
    )
    prefix = marker + "u"
    return (
        [("hash", {"prefix": prefix, "length": SHORT_HEX}), ("hash", {"prefix": prefix})],
        f"a hash behind {prefix!r} keeps it a handle",
    )


def proposal_for(
    ctx: ColumnContext,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """A masking rule for a person's messenger handle or web address, or None."""
    norm = pii.normalize(ctx.column)
    table = pii.normalize(ctx.table.rsplit(".", 1)[-1])
    service = _service(norm)
    if not ctx.type.is_text or ctx.type.is_array or not pii.about_people(table):
        return None
    if service is None and norm not in URLS:
        return None
    sample = [v.strip() for v in values or () if v.strip()]
    if sample and {v.lower() for v in sample} <= _FLAGS:
        return None  # a setting (show the Twitter link?), no account
    if 2 * sum(any(c.isspace() for c in v) for v in sample) > len(sample):
        return None  # words (a student's `aim`): no handle or address has a blank
    candidates, how = _candidates(service, sample, ctx.unique)
    cut = [("hash", {"length": ctx.type.length})] if ctx.type.length else []
    for name, params in [*candidates, ("hash", {}), *cut, ("null", {})]:
        strategy = strategies.get(name)
        if strategy is not None and fits(strategy, params, ctx):
            what = f"an account at {service}" if service else "a person's web address"
            why = [f"`{norm}` in a table about people: {what}"]
            why += [how] if (name, params) in candidates else []
            kind = "username" if name == "hash" else None
            return ColumnProposal(ctx.column, name, dict(params), ctx.unique, kind, why)
    return None


def pending(
    table: Table,
    columns: Mapping[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: Collection[tuple[str, str]],
) -> dict[tuple[str, str], ColumnProposal]:
    """The rules for the table's kept handles and web addresses (not applied yet)."""
    out = {}
    unique = table.unique_columns()
    for name, proposal in columns.items():
        column = table.columns[name]
        if proposal.masked or column.generated or (table.qualified, name) in keys:
            continue
        ctx = column_context(table, column, unique=name in unique)
        if (found := proposal_for(ctx, samples.get(name), strategies)) is not None:
            out[(table.qualified, name)] = found
    return out


def apply(proposals: Proposals, found: Mapping[tuple[str, str], ColumnProposal]) -> None:
    """Mask the handles still kept (a copy of a masked column is masked like it)."""
    for (table, column), proposal in found.items():
        if not proposals[table][column].masked:
            proposals[table][column] = proposal
