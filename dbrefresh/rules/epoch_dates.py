"""Birth dates kept as epoch seconds in text (Moodle's datetime profile fields store
'631152000' in mdl_user_info_data.data): no date strategy reads them, and a hash made
the field no number the application could read. `digits` after the first two
characters keeps a number of the same length, within a few years of the original."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal

_EPOCH = re.compile(r"^-?\d{8,11}$")
RULE: Mapping[str, Any] = {"keep_prefix": 2}


def epoch_seconds(values: Sequence[str] | None) -> bool:
    """Every sampled value is a whole number of seconds (0: unset), one at least not 0."""
    sample = [v.strip() for v in values or () if v.strip() and v.strip() != "0"]
    return bool(sample) and all(_EPOCH.match(v) for v in sample)


def as_epoch(proposal: ColumnProposal, values: Sequence[str] | None, *, unique: bool) -> None:
    """A birth date column of epoch seconds in text: masked by `digits`, still a number."""
    if proposal.kind != "birth_date" or unique or not epoch_seconds(values):
        return
    proposal.strategy, proposal.params = "digits", dict(RULE)
    proposal.why = [
        *(w for w in proposal.why if "strategy fits" not in w),
        "its sampled values are epoch seconds kept as text: digits after the first two "
        "(a number, within a few years)",
    ]
