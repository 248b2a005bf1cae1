"""Clients that are software, not people: OAuth and API clients.

A CRM's `clients` table holds customers (people, companies); Zulip's zerver_client,
Doorkeeper's oauth_applications and an `api_client` table hold the programs that call
an API ('ZulipMobile', 'website'), and the application looks them up by name: `name`
there got a hashed user name and every client lookup failed. A table about people only
through a client word is software when its name says so (oauth, api, app) or when most
sampled names look like programs'. Pure logic; pii.py and propose.py ask it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CLIENT_WORDS = re.compile(r"(?:^|_)(?:clients?|clientes?)(?=_|$)")
# Words naming software beside `client` in a table's name (api_client, oauth_clients,
# client_applications, hydra's oauth2_client)
_SOFTWARE_TABLE = re.compile(
    r"(?:^|_)(?:oauth2?|api|apis|apps?|applications?|software|sso|saml|oidc|openid|"
    r"integrations?|webhooks?|devices?)(?:_|$)"
)
# A program's name: CamelCase words run together ('ZulipElectron', 'GitHubDesktop'),
# a reverse domain ('com.acme.app'), or one token naming a program or a channel
_CAMEL = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+")
_REVERSE_DOMAIN = re.compile(r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+){2,}")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]*")
_SOFTWARE_WORDS = frozenset(
    re.split(
        r"\s+",
        """web website webapp internal mobile ios android desktop api cli terminal bot bots
    app apps electron python sdk cron webhook webhooks client server service plugin
    integration script scripts frontend backend browser console admin system scheduler
    worker importer exporter sync mirror feed rss zapier slack github gitlab jira
    test tests testing dev staging production prod default unknown native iphone ipad
    windows linux macos javascript js nodejs php rest graphql oauth""",
    )
)
SHARE = 0.5
MIN_SAMPLE = 3


def software_table(table_name: str) -> bool:
    """A table of clients that its name says are software (normalized name)."""
    return bool(CLIENT_WORDS.search(table_name) and _SOFTWARE_TABLE.search(table_name))


def names_software(table_name: str) -> bool:
    """A table its name says holds software (apps, oauth_applications), client word or
    not (Akkoma's `apps`, the OAuth clients: 'Tusky', 'Elk')."""
    return bool(_SOFTWARE_TABLE.search(table_name))


def without_clients(table_name: str) -> str:
    """The normalized table name without its client words (what else says people)."""
    return CLIENT_WORDS.sub("_", table_name)


def _words(value: str) -> list[str]:
    split = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", value)
    return [w for w in re.split(r"[^A-Za-z0-9]+", split.lower()) if w]


def is_program_name(value: str) -> bool:
    """One token shaped like a program's name, never words with a space (a company
    such as 'Web Solutions Ltd' or a person)."""
    text = value.strip()
    if not _TOKEN.fullmatch(text):
        return False
    if _CAMEL.fullmatch(text) or _REVERSE_DOMAIN.fullmatch(text):
        return True
    return any(w in _SOFTWARE_WORDS for w in _words(text))


def software_names(values: Sequence[str] | None) -> str | None:
    """Why the sampled names of a client table are programs', or None."""
    sample = [v for v in values or () if v.strip()]
    found = sum(map(is_program_name, sample))
    if len(sample) < MIN_SAMPLE or found < SHARE * len(sample):
        return None
    return (
        f"{found} of {len(sample)} sampled values look like names of programs (API or "
        "OAuth clients), no people"
    )
