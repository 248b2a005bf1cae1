"""Webhook URLs of known services: the path is the secret, masked; scheme and host kept.

Formbricks' Webhook.url held Zapier catch hooks
'https://hooks.zapier.com/hooks/catch/1234567/abc123/': no segment long enough to look
random, so the column was kept (or, beside Make's and Slack's hooks, given `file_name`,
which keeps every folder and so Zapier's key): staging kept posting survey responses to
the production Zaps. Zapier, Make (Integromat), Slack, Discord and Microsoft Teams
(Office 365 connectors) put the hook's secret in the path, so anyone holding the URL
can post. A text column whose sampled values are web addresses, one or more on such a
host (HOSTS), gets `prefixed`: each such host's 'https://host/' kept and the rest of
the URL hashed ('https://hooks.zapier.com/3fa9...'), still a URL that posts nowhere;
any other value gets the rule the column had (`default`). The hosts the sample did
not meet are listed too (KNOWN_PREFIXES), so a new Zap is masked as well. Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from dbrefresh.rules.proposal import ColumnProposal

# (host, the path a hook's secret follows): a Discord or Teams URL elsewhere is no hook
HOSTS = (
    (re.compile(r"hooks\.zapier\.com"), re.compile(r"/hooks/")),
    (re.compile(r"hook\.(?:[a-z]{2}\d\.)?(?:make|integromat)\.com"), re.compile(r"/\w")),
    (re.compile(r"hooks\.slack\.com"), re.compile(r"/(?:services|workflows|triggers)/")),
    (re.compile(r"(?:ptb\.|canary\.)?discord(?:app)?\.com"), re.compile(r"/api/webhooks/")),
    (re.compile(r"outlook\.office(?:365)?\.com"), re.compile(r"/webhook")),
    (re.compile(r"[a-z0-9-]+\.webhook\.office\.com"), re.compile(r"/webhookb2/")),
)
KNOWN_PREFIXES = (
    "https://hooks.zapier.com/",
    "https://hook.eu1.make.com/",
    "https://hook.eu2.make.com/",
    "https://hook.us1.make.com/",
    "https://hook.us2.make.com/",
    "https://hook.integromat.com/",
    "https://hooks.slack.com/",
    "https://discord.com/",
    "https://discordapp.com/",
    "https://outlook.office.com/",
)
# the rules a URL column gets that a case can hold (the default of `prefixed`); lorem:
# a catch hook's numeric id read as a phone number
DEFAULTS = frozenset({"keep", "file_name", "hash", "url_query", "lorem"})
MAX_PREFIX = 64  # prefixed's longest prefix
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def hook_prefix(value: str) -> str | None:
    """'https://host/' of a known service's webhook URL, or None."""
    text = value.strip()
    if not _URL.match(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    for name, path in HOSTS:
        if name.fullmatch(host) and path.match(parts.path):
            return f"{parts.scheme}://{parts.netloc}/"
    return None


def proposal(proposal: ColumnProposal, values: Sequence[str] | None) -> ColumnProposal | None:
    """`prefixed` for a column of URLs holding webhooks (over the rule it had), or None."""
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or not all(_URL.match(v) for v in sample):
        return None
    if proposal.strategy not in DEFAULTS:
        return None
    seen = sorted({p for v in sample if (p := hook_prefix(v)) is not None})
    if not seen:
        return None
    prefixes = sorted({*seen, *KNOWN_PREFIXES} - {p for p in seen if len(p) > MAX_PREFIX})
    params: dict[str, object] = {
        "cases": {p: "hash" for p in prefixes},
        "default": proposal.nested_rule,
    }
    hooks = sum(1 for v in sample if hook_prefix(v) is not None)
    hosts = ", ".join(p.split("://", 1)[1].rstrip("/") for p in seen)
    why = [
        f"{hooks} of {len(sample)} sampled values are webhook URLs ({hosts}), whose path is "
        "the hook's secret: the path hashed, scheme and host kept (a URL that posts nowhere)",
    ]
    if proposal.masked:
        why.append(f"other URLs: {proposal.strategy}, as before")
    return ColumnProposal(
        proposal.column,
        "prefixed",
        params,
        unique=proposal.unique,
        kind="secret",
        why=[*proposal.why, *why],
    )
