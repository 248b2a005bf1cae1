"""A text column holding one and the same value on every sampled row is a setting.

pretix's invoice_from is the seller's own address, copied onto each of 403 invoices:
`rules init` masked it as a person's address. A column whose sample of at least
MIN_ROWS rows shows a single value is the application's own (its address, a footer, a
company name), so an address, text or company proposal over it is kept with a REVIEW
note. Only those: one email address, phone number or id on every row may still be a
person's (the sole customer's), and keeps its rule. Like the names' MIN_DISTINCT_NAMES
(pii_values.py: 'German' a thousand times is a nationality), repetition says "no one".
Pure logic.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules.proposal import ColumnProposal

MIN_ROWS = 50  # sampled non-empty values: fewer may be a small table of one person
# (kind, strategy) pairs a lone value is kept from: whole addresses, text, companies
KINDS = {"street": {"street", "template"}, "free_text": {"lorem"}, "company": {"company"}}


def kept(proposal: ColumnProposal, values: Sequence[str] | None) -> ColumnProposal | None:
    """The proposal kept with a note, when every sampled value is the same one."""
    if proposal.strategy not in KINDS.get(proposal.kind or "", ()):
        return None
    sample = [v for v in values or () if v.strip()]
    if len(sample) < MIN_ROWS or len(set(sample)) != 1:
        return None
    note = (
        f"REVIEW: all {len(sample)} sampled values are one and the same: the application's "
        f"own setting (its address, text or company), not a person's: kept ({proposal.kind} "
        "would mask it); mask it if it is someone's"
    )
    # the masking rule's own notes (the address layout a template keeps) no longer hold
    said = [why for why in proposal.why if not why.startswith("REVIEW:")]
    return ColumnProposal(proposal.column, why=[*said, note])
