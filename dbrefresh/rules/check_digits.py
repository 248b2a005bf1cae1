"""Codes whose last digit is a Luhn check digit: `digits` with `luhn: true`.

OpenMRS's patient identifiers ('100-8', its default Luhn validator: the check digit
after a dash), card-like numbers and many member or loyalty numbers end in a Luhn check
digit over their other digits; `digits` replaced it with a keyed digit, and nine masked
values in ten failed the application's check (OpenMRS refuses to save such a patient).
Where a `digits` proposal's sampled values carry one, `luhn: true` keeps it valid.

Decision: at least MIN_VALUES distinct sampled values with MIN_DIGITS digits or more,
and SHARE of them passing (a value passes by chance one time in ten, so 19 of 20
passing by chance is about 2e-18, whatever the length; a few invalid values, typed by
hand, do not deny it: luhn keeps them invalid by as much). Only plain Luhn over the
value's digits (non-digits ignored); OpenMRS's 'Luhn Mod-30' variant over letters is not
recognised.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules.pii_values import luhn_ok
from dbrefresh.rules.proposal import ColumnProposal

MIN_VALUES = 20
MIN_DIGITS = 4  # '100-8': three digits and the check digit
SHARE = 0.95


def luhn_values(values: Sequence[str] | None) -> tuple[int, int] | None:
    """(passing, distinct) when the sampled values carry a Luhn check digit, else None."""
    digits = {"".join(c for c in v if c.isdigit()) for v in values or () if v.strip()}
    if not digits or any(len(d) < MIN_DIGITS or not d.isascii() for d in digits):
        return None
    passing = sum(luhn_ok(d) for d in digits)
    if len(digits) < MIN_VALUES or passing < SHARE * len(digits):
        return None
    return passing, len(digits)


def as_luhn(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """A `digits` proposal over values ending in a Luhn check digit: `luhn: true`."""
    if proposal.strategy != "digits" or (found := luhn_values(values)) is None:
        return
    proposal.params = {**proposal.params, "luhn": True}
    passing, distinct = found
    proposal.why.append(
        f"{passing} of {distinct} sampled values end in a Luhn check digit: `luhn` keeps it valid"
    )
