"""Secrets that are numeric codes: a one-time code of digits ('042917') masked by `digits`.

Named as secrets (`verification_code`, `confirmation_code`, `otp_code`), a 6-digit
`verification_code varchar(6)` had no secret strategy that fits: it became `null` where
nullable and a 6-character hash (hex, no longer digits) where NOT NULL, and the
application no longer read it as a code. Where every sampled value is ASCII digits,
`digits` keeps each code's length and digits and still replaces every digit (keyed, so
no original code survives); `unique: true` (a permutation) on a unique column. A column
empty at sampling keeps the secret proposal: nothing says its values are digits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal

# What a secret proposal can be that `digits` may replace (a URL's last part, file_name,
# is no code).
_REPLACED = frozenset({"hash", "null", "uuid"})


def numeric(values: Sequence[str] | None) -> bool:
    """Every non-blank sampled value is ASCII digits, and one at least was sampled."""
    sample = [v.strip() for v in values or () if v.strip()]
    return bool(sample) and all(v.isascii() and v.isdigit() for v in sample)


def as_digits(
    proposal: ColumnProposal,
    values: Sequence[str] | None,
    fits: Callable[[Mapping[str, Any]], bool],
) -> None:
    """A secret column of numeric codes: `digits` (unique where the column is), when it
    fits the column (`fits` says whether `digits` with these parameters compiles)."""
    if proposal.kind != "secret" or proposal.strategy not in _REPLACED or not numeric(values):
        return
    params: dict[str, Any] = {"unique": True} if proposal.unique else {}
    if not fits(params):
        return
    proposal.strategy, proposal.params = "digits", params
    proposal.why = [
        *(w for w in proposal.why if "strategy fits" not in w),
        "its sampled values are numeric codes: `digits` keeps their length and digits",
    ]
