"""Address lists in one value (Zammad's ticket_articles "to"/cc, LimeSurvey's
emailnotificationto): items separated by ',' or ';', a ',' inside a quoted display
name separating nothing. Judged as text mentioning addresses they got `lorem`, their
addresses turned into words; the email strategy masks each item in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.email_lists import LIST_ITEM

# An item (quoted strings whole) and the separator after it, as the strategy splits it
_ITEM = re.compile(LIST_ITEM)


def items(value: str) -> list[str]:
    """The non-blank items of a list, stripped; one item for a value with no separator."""
    found = [m.group(1).strip() for m in _ITEM.finditer(value)]
    return [item for item in found if item]


def count_lists(values: Sequence[str]) -> int:
    """How many of the values are lists of more than one item."""
    return sum(1 for v in values if ("," in v or ";" in v) and len(items(v)) > 1)


_NOTE = "sampled values are address lists: each address masked"


def describes_lists(note: str) -> bool:
    """Whether a note is the one `as_lists` writes: stale where `lists` is gone."""
    return _NOTE in note


def as_lists(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """`lists: true` on an `email` rule whose sampled values hold lists: each address
    masked in place (without it a list becomes one address)."""
    if proposal.strategy != "email" or not values:
        return
    if listed := count_lists(values):
        proposal.params = {**proposal.params, "lists": True}
        proposal.why.append(f"{listed} {_NOTE}")
