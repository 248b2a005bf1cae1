"""PEM private keys in `rules init`, known by their armour whatever the column's name.

Akkoma's users.keys held production's RSA private keys and was kept (no name or value
detector knew them); Lemmy's person.private_key and Misskey's "privateKey", secrets by
their names, were hashed to 32 hex digits, and the application failed on the first
federation request it signed. A column or JSON path whose sampled values are mostly
PEM private keys ('-----BEGIN RSA PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----', EC,
DSA, OpenSSH, encrypted PKCS#8; a truncated one too, as Wiki.js's settings `certs`
document may show) gets `private_key`: a throwaway key of the same kind. Public keys
('-----BEGIN PUBLIC KEY-----', certificates) are no secret and stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

KIND = "private_key"
LABEL = "a PEM private key"
# The armour's first line, at the value's start: 'RSA PRIVATE KEY', 'PRIVATE KEY', ...
_ARMOUR = re.compile(r"\s*-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
THRESHOLD = 0.5


def is_private_key(value: str) -> bool:
    """A value that opens with a PEM private key's armour."""
    return _ARMOUR.match(value) is not None


def reason(values: Sequence[str] | None) -> str | None:
    """'N of M sampled values are PEM private keys' when most are (None otherwise)."""
    sample = [v for v in values or () if v.strip()]
    found = sum(1 for v in sample if is_private_key(v))
    if not found or found < THRESHOLD * len(sample):
        return None
    return (
        f"{found} of {len(sample)} sampled values are PEM private keys: replaced by a "
        "throwaway key of the same kind (the application still parses and signs with it)"
    )
