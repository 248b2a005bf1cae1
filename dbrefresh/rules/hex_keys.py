"""`*_key` columns of long random hex: credentials by their values, for `propose.py`.

LimeSurvey's lime_users.validation_key (a password-reset key of 38 hex characters) was
kept: no credential word in its name (the name rules leave `*_key` alone: cache_key,
sort_key), and bare hex has no credential's form. A column named `<something>_key`
whose sampled values are all hex strings of MIN_HEX characters or more, letters among
the digits, nearly all distinct, is a secret: a reset or activation key copied to
staging lets whoever reads it act as the user. Keys of a cache, an order or a public
key stay alone (NOT_CREDENTIAL_KEYS, which eav_json's settings share). Pure logic.

Not every such key is hex: LimeSurvey's keys are also random letters and digits, or
base64 ('q7+Zk0/...'), and were kept. A column named as a one-time key
(`validation_key`, `reset_token`, `activation_code`: ONE_TIME words, then key, code or
token) whose sampled values are all random tokens (MIN_TOKEN characters or more of the
base64 or URL alphabet, letters and digits both, varied characters, nearly all
distinct) is a secret too. Not a template's or a message's id made of words
('mail.reset.subject_v12': each part between '.', '_', '-' a word, its digits at the
end, WORDLIKE_PART): a random token mixes letters and digits throughout.
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
# the words that name a key a link or a message carries once: a reset, a validation
ONE_TIME = frozenset(
    {
        "reset",
        "validation",
        "validate",
        "verification",
        "verify",
        "activation",
        "activate",
        "confirmation",
        "confirm",
        "recovery",
        "invitation",
        "invite",
    }
)
_ONE_TIME_ENDS = frozenset({"key", "keys", "code", "codes", "token", "tokens"})
MIN_HEX = 20
MIN_TOKEN = 16
VARIED = 0.55  # distinct characters per character: 38 random base62 ones have ~29
MANY_CHARACTERS = 20  # enough distinct ones in a long token (86 of base64 have ~47)
DISTINCT = 0.9  # of the sampled values: random keys do not repeat
_HEX = re.compile(rf"[0-9a-fA-F]{{{MIN_HEX},}}")
_TOKEN = re.compile(rf"[A-Za-z0-9+/_.~-]{{{MIN_TOKEN},}}={{0,2}}")
# a part of an id made of words: 'mail', 'subject', 'v12', 'Reset', 'HTML', '2024'
WORDLIKE_PART = re.compile(r"(?:[a-z]+|[A-Z][a-z]*|[A-Z]+)?[0-9]*")
_SEPARATORS = re.compile(r"[._-]")


def reason(column: str, values: Sequence[str]) -> str | None:
    """Why the column holds random keys (a credential), or None."""
    words = pii.normalize(column).split("_")
    if (one_time := _one_time(words, values)) is not None:
        return one_time
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


def _one_time(words: list[str], values: Sequence[str]) -> str | None:
    """Why a one-time key's column (`validation_key`) holds random tokens, or None."""
    if len(words) < 2 or words[-1] not in _ONE_TIME_ENDS or not set(words[:-1]) & ONE_TIME:
        return None
    sample = [v.strip() for v in values if v.strip()]
    if not sample or not all(_random_token(v) for v in sample):
        return None
    if len(set(sample)) < DISTINCT * len(sample):
        return None
    return (
        f"name suggests a one-time key (a reset or validation link's), and {len(sample)} of "
        f"{len(sample)} sampled values are random tokens: a credential"
    )


def _random_token(value: str) -> bool:
    """A token of MIN_TOKEN characters or more, letters and digits both, its characters
    varied as random ones are ('RULE_0_REQUIRED_FIELD' repeats its letters: words)."""
    return (
        _TOKEN.fullmatch(value) is not None
        and not words_joined(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and len(set(value)) >= min(VARIED * len(value), MANY_CHARACTERS)
    )


def words_joined(value: str) -> bool:
    """Words joined by '.', '_' or '-' ('mail.reset.subject_v12'): an id, not a token."""
    parts = _SEPARATORS.split(value)
    return all(part and WORDLIKE_PART.fullmatch(part) for part in parts)
