"""Columns of reference codes holding an address now and then: the addresses masked.

Camunda's business_key_ is the application's own id of a process: 'LOAN-2024-000001',
'KYC-00001', and for some processes the customer's address. A code's digits read as a
phone number in text ('2024-000001'), so every business key became `lorem`: codes the
application looks its processes up by were lost, unique ones no longer unique. A text
column (or a key/value table's key: act_hi_op_log's 'businessKey') whose sampled values
are each a reference code or a whole e-mail address, codes SHARE of them at least, gets
`forms`: addresses masked as addresses (apart, where the column is unique), every other
value kept. Only where it was kept or judged text mentioning a contact: a person's own
register number ('TB-2021-1001') keeps its `digits`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules.lookalikes import is_reference_code
from dbrefresh.rules.pii_values import EMAIL
from dbrefresh.rules.proposal import ColumnProposal

SHARE = 0.5  # of the sampled values, reference codes
MIN_VALUES = 5


def codes_rule(column: str, values: Sequence[str] | None, *, unique: bool) -> ColumnProposal | None:
    """The rule for values that are reference codes and addresses (None: they are not)."""
    texts = [v.strip() for v in values or () if v and v.strip()]
    if len(texts) < MIN_VALUES:
        return None
    codes = sum(map(is_reference_code, texts))
    emails = sum(EMAIL.fullmatch(v) is not None for v in texts)
    if codes < SHARE * len(texts) or codes + emails < len(texts):
        return None
    why = f"{codes} of {len(texts)} sampled values are reference codes ('LOAN-2024-1'), kept"
    if not emails:
        return ColumnProposal(column, why=[why])
    email: Any = {"strategy": "email", "unique": True} if unique else "email"
    params = {"cases": {"email": email}, "default": "keep"}
    why += f"; {emails} are e-mail addresses, masked"
    return ColumnProposal(column, "forms", params, kind="email", why=[why])


def mask_addresses_among_codes(
    table: Table, proposals: dict[str, ColumnProposal], samples: Mapping[str, Sequence[str]]
) -> None:
    """`forms` keeping the codes for each column of codes and addresses, in place."""
    for name, proposal in list(proposals.items()):
        column = table.columns[name]
        if column.type.category != "S" or column.type.is_array:
            continue
        found = codes_rule(name, samples.get(name), unique=name in table.unique_columns())
        if found is not None and replaces(proposal, found):
            proposals[name] = found


def replaces(proposal: ColumnProposal, found: ColumnProposal) -> bool:
    """Whether the codes' rule replaces the proposal: one kept, or masked as text that
    mentions a contact (`lorem`); never a person's own code's (DHIS2's 'TB-2021-1001',
    a register number: `digits`)."""
    if proposal.masked:
        return proposal.kind == "free_text"
    return found.masked
