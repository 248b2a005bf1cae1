"""Cases of a key/value switch for keys holding codes or mixed contact points.

HAPI FHIR's hfj_spidx_token indexes a patient's `identifier` (an MRN 'MRN2433128', an
SSN '002-42-4310', a practitioner's NPI '3795742288') and `telecom` (a phone number in
one row, an email address in the next) under one key each. Judged as a column named
after the key, identifiers whose SSNs were under half the sample read as text holding
phone numbers: `lorem`, and no identifier was one any more; a telecom key got `email`,
which made every phone number an address. A key whose values are all single tokens
with digits (no spaces, no '@') gets `digits` instead of `lorem` (each digit replaced,
the shape kept); a key mixing addresses and phone numbers gets `forms`, each value by
its own form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.phones import is_phone
from dbrefresh.rules.pii_values import is_email
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
MIN_DIGITS = 4  # in each token: a code, not a word
MIN_FORM_SHARE = 0.1  # of the sample, each of the mixed forms


def token_case(
    table: Table,
    value: Column,
    proposal: ColumnProposal,
    values: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """The key's proposal, `digits` for codes judged lorem, `forms` for mixed contacts."""
    sample = [v.strip() for v in values if v.strip()]
    if not sample or value.type.is_json:
        return proposal
    ctx = column_context(table, value, unique=False)
    codes = all(_is_code(v) for v in sample)
    if proposal.strategy == "lorem" and codes and fits(strategies["digits"], {}, ctx):
        return ColumnProposal(
            value.name,
            "digits",
            {},
            kind="personal_code",
            why=[
                *proposal.why,
                f"but all {len(sample)} are single codes with digits: digits keeps their shape",
            ],
        )
    if proposal.strategy in {"email", "phone"}:
        emails = sum(map(is_email, sample))
        phones = sum(map(is_phone, sample))
        params = {"cases": {"email": "email", "phone": "phone"}, "default": "hash"}
        if min(emails, phones) >= MIN_FORM_SHARE * len(sample) and fits(
            strategies["forms"], params, ctx
        ):
            return ColumnProposal(
                value.name,
                "forms",
                params,
                kind=proposal.kind,
                why=[
                    f"{emails} of {len(sample)} sampled values are email addresses, "
                    f"{phones} phone numbers: each masked by its form"
                ],
            )
    return proposal


def _is_code(value: str) -> bool:
    return bool(_TOKEN.fullmatch(value)) and sum(c.isdigit() for c in value) >= MIN_DIGITS
