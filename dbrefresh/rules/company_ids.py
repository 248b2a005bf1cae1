"""Company registration numbers (SIREN, SIRET, EIN) by their column's name: `digits`.

Dolibarr's llx_societe.siren '922432984' got `lorem` (nine digits read as a phone
number inside text) and siret '38469994800400' `partial` (14 digits passing Luhn read
as a payment card): neither is text or a card, and the application checks both with
Luhn. A text column named as a company's registration number (COMPANY_ID_NAMES) whose
sampled values are all digits (spaces, dots, dashes aside) gets `digits`, with
`luhn: true` when every sampled value passes Luhn (SIREN and SIRET do): still a valid
number of the same shape, no longer the company's. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii
from dbrefresh.rules.pii_values import luhn_ok
from dbrefresh.rules.proposal import ColumnProposal

COMPANY_ID_NAMES = frozenset(
    {
        "siren",
        "siret",
        "ein",
        "company_number",
        "company_registration_number",
        "company_reg_no",
        "company_id_number",
    }
)
KIND = "company_id"
_DIGITS = re.compile(r"[0-9]+(?:[ .-][0-9]+)*")
MIN_DIGITS = 6


def proposal(column: str, values: Sequence[str] | None, *, unique: bool) -> ColumnProposal | None:
    """`digits` (with `luhn: true` where every value passes) for a company id column."""
    if pii.normalize(column) not in COMPANY_ID_NAMES:
        return None
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or not all(_DIGITS.fullmatch(v) for v in sample):
        return None
    digits = {"".join(c for c in v if c.isdigit()) for v in sample}
    if any(len(d) < MIN_DIGITS for d in digits):
        return None
    params: dict[str, object] = {"luhn": True} if all(luhn_ok(d) for d in digits) else {}
    if unique:
        params["unique"] = True
    check = "; every sampled value passes Luhn: `luhn` keeps it valid" if "luhn" in params else ""
    why = (
        f"name suggests a company registration number; {len(sample)} of {len(sample)} "
        f"sampled values are digits: digits keeps their shape{check}"
    )
    return ColumnProposal(column, "digits", params, unique=unique, kind=KIND, why=[why])
