"""Recipients that are addresses in one row and chat channels in another: `forms`.

Superset's report_recipient.recipient_config_json holds {"target": ...}: an address
list for an Email recipient ('ann@acme.io,bob@acme.io'), a Slack channel or two for a
Slack one ('#sales-reports', 'C04ABCDEF12,#finance'). Judged as one kind, the path got
`email` (each channel became an address Slack refused) or `lorem` (every address list
lost). A path or column whose sampled values are each either addresses only or chat
channels only ('#name', a Slack channel id), with both met, gets `forms` instead: a
value holding an '@' masked as an address (list), any other kept. A channel names a
team's room, not a person; a value of neither form in the sample decides nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dbrefresh.rules import mail_lists, pii_values
from dbrefresh.rules.proposal import ColumnProposal

# '#sales-reports', a Slack channel id ('C04ABCDEF12') or private group id ('G01...')
_CHANNEL = re.compile(r"#[\w.-]{1,80}|[CG][A-Z0-9]{8,12}")
REPLACED = frozenset({"email", "lorem"})  # the rules such a column or path got


def is_channels(value: str) -> bool:
    """Chat channels only, one or a ',' or ';' list of them."""
    found = mail_lists.items(value)
    return bool(found) and all(_CHANNEL.fullmatch(item) for item in found)


def forms_rule(values: Sequence[str], email: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """`forms` parameters masking the addresses by `email` (its parameters, `lists`
    added when the sample holds lists) and keeping the channels, with the reason; None
    unless every sampled value is one or the other and both are met."""
    sample = [v for v in values if v.strip()]
    addresses = [v for v in sample if "@" in v]
    channels = [v for v in sample if "@" not in v]
    if not addresses or not channels or not all(is_channels(v) for v in channels):
        return None
    if not all(pii_values.is_email(v) for v in addresses):
        return None
    case = {k: v for k, v in email.items() if k != "strategy"}
    if mail_lists.count_lists(addresses):
        case["lists"] = True
    params = {"cases": {"email": {"strategy": "email", **case}}, "default": "keep"}
    reason = (
        f"{len(addresses)} sampled values are addresses, {len(channels)} chat channels "
        "('#name', a channel id): each value masked by its form, the channels kept"
    )
    return params, reason


def as_channels(
    proposal: ColumnProposal,
    values: Sequence[str] | None,
    fit: Callable[[dict[str, Any]], bool],
) -> None:
    """`forms` for an `email` or `lorem` column of addresses and chat channels, in place."""
    if proposal.strategy not in REPLACED:
        return
    email = proposal.params if proposal.strategy == "email" else {}
    unique = {"unique": True} if proposal.unique else {}
    found = forms_rule(values or (), {**email, **unique})
    if found is not None and fit(found[0]):
        proposal.strategy, proposal.params = "forms", found[0]
        proposal.why.append(found[1])
