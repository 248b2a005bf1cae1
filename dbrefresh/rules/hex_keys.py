"""`*_key` columns of long random hex: credentials by their values, for `propose.py`.

LimeSurvey's lime_users.validation_key (a password-reset key of 38 hex characters) was
kept: no credential word in its name (the name rules leave `*_key` alone: cache_key,
sort_key), and bare hex has no credential's form. A column named `<something>_key`
whose sampled values are all hex strings of MIN_HEX characters or more, letters among
the digits, nearly all distinct, is a secret: a reset or activation key copied to
staging lets whoever reads it act as the user. Keys of a cache, an order or a public
key stay alone (NOT_CREDENTIAL_KEYS, which eav_json's settings share). Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii

# `*_key` columns and settings that are no credential: a public key, a key of a cache or an order
NOT_CREDENTIAL_KEYS = frozenset(
    {
        "public",
        "publishable",
        "site",
        "cache",
        "sort",
        "partition",
        "primary",
        "foreign",
        "object",
        "idempotency",
        "hotkey",
        "shortcut",
        "map",
        "lookup",
        "group",
        "shard",
    }
)
MIN_HEX = 20
DISTINCT = 0.9  # of the sampled values: random keys do not repeat
_HEX = re.compile(rf"[0-9a-fA-F]{{{MIN_HEX},}}")


def reason(column: str, values: Sequence[str]) -> str | None:
    """Why the column holds random keys (a credential), or None."""
    words = pii.normalize(column).split("_")
    if len(words) < 2 or words[-1] not in {"key", "keys"} or set(words) & NOT_CREDENTIAL_KEYS:
        return None
    sample = [v.strip() for v in values if v.strip()]
    if not sample or not all(_HEX.fullmatch(v) and not v.isdigit() for v in sample):
        return None
    if len(set(sample)) < DISTINCT * len(sample):
        return None
    return (
        f"name ends in `key`, and {len(sample)} of {len(sample)} sampled values are random "
        f"hex of {MIN_HEX} characters or more: a credential"
    )
