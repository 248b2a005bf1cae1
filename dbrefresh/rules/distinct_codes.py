"""Personal codes whose sampled values all differ: an external id, kept distinct.

OpenEMR's patient_data.pubpid is the patient's external id (the chart number staff
search by), unique by the application's convention, not by a constraint: `digits`
replaced each digit on its own, and 100 distinct ids became 70 (two patients under
one chart number). A personal-code column masked by `digits` whose sampled values
(enough of them) all differ gets `unique: true`: its digits permuted by a keyed
bijection, so distinct ids stay distinct.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal

MIN_SAMPLE = 20  # sampled values before "all differ" says anything


def as_unique(
    proposal: ColumnProposal,
    values: Sequence[str] | None,
    fits: Callable[[Mapping[str, Any]], bool],
) -> None:
    """`unique: true` on a personal code's `digits` when every sampled value differs."""
    if (
        proposal.kind != "personal_code"
        or proposal.strategy != "digits"
        or proposal.params.get("unique")
    ):
        return
    sample = [v.strip() for v in values or () if v.strip()]
    if len(sample) < MIN_SAMPLE or len(set(sample)) < len(sample):
        return
    params = {**proposal.params, "unique": True}
    if fits(params):
        proposal.params = params
        proposal.why.append(
            f"all {len(sample)} sampled values differ (an external id): unique: true keeps "
            "them distinct"
        )
