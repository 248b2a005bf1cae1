"""CHECK-fitting fallbacks that still hide the value: a shorter `hash` first, and none
that keeps the letters.

`rules init` (rules/initcheck.py) tries other strategies when the proposed masked
values break a CHECK constraint. For a login under `CHECK (length(login) <= 24)` the
ones keeping the values' form came first: `digits` kept 'kmeier' of 'kmeier1' (the
surname survived, and verify saw no leak), or nothing fit and the login was kept. So a
`hash` of a fitting length (the rule's prefix kept: applications refuse logins that
start with a digit) is tried before them, at least INJECTIVE_HEX hex characters for a
unique column (shorter ones collide); and an option keeping most of a value's letters
(`digits` on 'kmeier1', `partial` keeping most characters) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbrefresh.strategies.hash import INJECTIVE_HEX

Option = tuple[str, dict[str, Any]]  # (strategy, parameters)

# Kinds whose letters are the personal part: a `hash` goes before the form-keeping
# fallbacks.
LETTER_KINDS = frozenset(
    {
        "username",
        "user_id",
        "first_name",
        "last_name",
        "full_name",
        "free_text",
        "secret",
        "company",
    }
)
_UNIQUE_HEX = (24, 20, INJECTIVE_HEX)
_SHORT_HEX = (12, 8)  # a non-unique column's: collisions change no join
_KEPT_SHARE = 0.5  # more than this share of a value's letters kept: not hidden


def hash_options(
    strategy: str, params: dict[str, Any], kind: str | None, values: Sequence[str], unique: bool
) -> list[Option]:
    """Shorter hashes to try first, longest first (a CHECK's upper bound unknown): for
    a column proposed `hash`, or of a kind whose letters are personal."""
    if strategy != "hash" and kind not in LETTER_KINDS:
        return []
    prefix = str(params.get("prefix", "")) if strategy == "hash" else ""
    # an id's kept sigil and server ('@u<hex>:example.org') stay
    kept = {
        k: params[k] for k in ("keep_leading", "keep_from") if strategy == "hash" and params.get(k)
    }
    longest = max((len(v) for v in values), default=0)
    lengths = [*_UNIQUE_HEX] if unique else [*_UNIQUE_HEX, *_SHORT_HEX]
    if not unique and 1 <= longest - len(prefix) < min(lengths):
        lengths.append(longest - len(prefix))  # as long as the longest value sampled
    current = params.get("length") if strategy == "hash" else None
    out: list[Option] = []
    for hex_length in lengths:
        if current is not None and hex_length >= current:
            continue
        shorter = {"prefix": prefix, "length": hex_length} if prefix else {"length": hex_length}
        out.append(("hash", {**shorter, **kept}))
    if prefix:  # the prefix's character may be the one too many
        out.append(("hash", {"length": INJECTIVE_HEX if unique else min(lengths)}))
    return out


def keeps_letters(option: Option, values: Sequence[str], kind: str | None) -> bool:
    """Whether the option keeps more than half of the sampled values' letters: `digits`
    and `phone` keep every letter; `partial` its kept characters, counted for a kind
    whose letters are personal (an email's kept '@acme.com' is no person's)."""
    strategy, params = option
    letters = sum(sum(ch.isalpha() for ch in v) for v in values)
    if not letters:
        return False
    if strategy in {"digits", "phone"}:
        kept = letters
    elif strategy == "partial" and kind in LETTER_KINDS:
        first, last = int(params.get("keep_first", 0)), int(params.get("keep_last", 0))
        kept = sum(
            sum(
                ch.isalpha()
                for ch in (v if first + last >= len(v) else v[:first] + v[len(v) - last :])
            )
            for v in values
        )
    else:
        return False
    return kept > _KEPT_SHARE * letters
