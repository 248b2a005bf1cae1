"""When a column's sampled values deny what its name says.

A name-based rule fired though no value fitted it: Keycloak's `realm.email_theme`
('acme') got `email`, WordPress's `comment_approved` ('1', '0', 'spam') got `lorem`,
a key `reset_password` holding 'True' got `hash`; staging broke. Kinds whose values
have a shape are refused when no sampled value could be one; flags are no person's data
whatever their name. Kinds without a shape (names in scripts the dictionaries lack,
cities, companies, user names) stay judged by name alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dbrefresh.rules.pii import LABELS

MIN_SHAPED_SAMPLE = 3  # non-blank values before their shape may overrule the name
FLAG_SHARE = 0.8  # of the values boolean-like, the rest single words ('spam', 'trash')
BOOLEAN_TOKENS = frozenset({"true", "false", "t", "f", "yes", "no", "0", "1", "y", "n"})
_WORD = re.compile(r"[a-z][a-z_-]{0,19}")
_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?", re.IGNORECASE)


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


# Loose on purpose: a value that could be the kind at all (a bare '4915112345678' is a
# phone number the strict detector refuses); only a sample of none of them overrules.
COULD_BE: dict[str, Callable[[str], bool]] = {
    "email": lambda v: "@" in v,
    "phone": lambda v: bool(_PHONE_CHARS.fullmatch(v.strip())) and 6 <= _digits(v) <= 15,
    "ip": lambda v: _digits(v) >= 2 and (v.count(".") == 3 or ":" in v),
    "iban": lambda v: _digits(v) >= 4 and sum(c.isalnum() for c in v) >= 12,
    "card": lambda v: _digits(v) >= 4,
    "national_id": lambda v: _digits(v) >= 3,
}


def is_flags(sample: Sequence[str]) -> bool:
    """Boolean-like tokens, but for a few single words ('1', '0', 'spam')."""
    tokens = [v.strip().lower() for v in sample]
    flags = sum(t in BOOLEAN_TOKENS for t in tokens)
    return (
        bool(tokens)
        and flags >= FLAG_SHARE * len(tokens)
        and all(t in BOOLEAN_TOKENS or _WORD.fullmatch(t) for t in tokens)
    )


def denial(kind: str, values: Sequence[str] | None) -> str | None:
    """Why the sampled values say the column is not of the kind its name suggests, or
    None (no values, or nothing against the name)."""
    sample = [v for v in values or () if v.strip()]
    label = LABELS.get(kind, kind)
    if is_flags(sample):
        return f"all {len(sample)} sampled values are flags (true/false, 0/1, yes/no), not {label}"
    could_be = COULD_BE.get(kind)
    if could_be is None or len(sample) < MIN_SHAPED_SAMPLE or any(map(could_be, sample)):
        return None
    return f"none of {len(sample)} sampled values is {label}"
