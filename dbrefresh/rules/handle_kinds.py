"""What a messenger handle or a person's web address looks like, and how it is masked.

Shared by handles.py (columns so named) and json_path_rules.py (JSON keys so named:
Medusa's customer.metadata {"instagram": "@petermeyer"}): one list of services, one
choice of rules by the sampled values. Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

Candidate = tuple[str, dict[str, Any]]

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
FLAGS = frozenset({"0", "1", "t", "f", "true", "false", "yes", "no", "y", "n"})
SHORT_HEX = 12  # a handle's length, where the column need not stay unique


def service_of(norm: str) -> str | None:
    # 'LinkedIn profile' (a Moodle profile field's name) normalizes to linked_in_profile
    words = norm.replace("linked_in", "linkedin").split("_")
    services = [w for w in words if w in SERVICES]
    if len(services) == 1 and all(w in SERVICES or w in _ACCOUNT for w in words):
        return services[0]
    return None


def candidates_for(
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
