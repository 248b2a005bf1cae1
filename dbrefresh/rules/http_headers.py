"""HTTP headers that carry credentials, by name: a webhook's `custom_headers`
{"Authorization": "Bearer ...", "X-Api-Key": ...}, a delivery log's `request_headers`
{"Saleor-Signature": ..., "Set-Cookie": "sessionid=..."}. Only `X-Api-Key` was hashed
(its name holds `api_key`): the bearer token, the session cookie and the signature were
kept, and each opens production or forges its webhooks.
"""

from __future__ import annotations

import re

# Whole names (normalized) of headers that are the credential itself
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy_authorization", "cookie", "cookies", "set_cookie"}
)
# A header's last word (its spelling 'X-Hub-Signature-256', with dashes) naming a
# credential: `Saleor-Signature`, `X-CSRF-Token`, `X-Shopify-Access-Token`
_HEADER = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
_CREDENTIAL_WORDS = frozenset(
    {"signature", "token", "key", "secret", "auth", "authorization", "session", "password"}
)


def credential(name: str, normalized: str) -> bool:
    """A header (or a column named after one) whose value is a credential."""
    if normalized in CREDENTIAL_HEADERS:
        return True
    if not _HEADER.fullmatch(name.strip()):
        return False
    words = [w for w in normalized.split("_") if not w.isdigit()]
    return bool(words) and words[-1] in _CREDENTIAL_WORDS
