"""Secrets kept in base32 (TOTP seeds) are hashed to base32, not hex.

Supabase's auth.mfa_factors.secret ('4OOTDWIKUSYP...', a TOTP seed in RFC 4648 base32)
was proposed `hash`: its hex has 0, 1, 8 and 9, which base32 lacks, so the masked seed
no longer decoded and the application's TOTP check failed instead of refusing a code.
A column proposed a plain `hash` whose sampled values are all base32 (A-Z and 2-7, 16
characters or more, '=' padding), most of them with a digit, gets `{strategy: hash,
alphabet: base32}`: base32 of each value's length, padding kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from dbrefresh.catalog import Table
from dbrefresh.rules.proposal import ColumnProposal

_BASE32 = re.compile(r"[A-Z2-7]{16,}=*")
_DIGIT = re.compile(r"[2-7]")
MIN_VALUES = 3


def base32_secrets(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    keys: Collection[str],
) -> None:
    """Give base32 hashing to the table's hashed columns whose values are base32."""
    for name, proposal in proposals.items():
        column = table.columns[name]
        values = [v for v in samples.get(name) or () if v.strip()]
        if (
            proposal.strategy != "hash"
            or set(proposal.params) - {"unique"}
            or name in keys
            or column.type.category != "S"
            or column.type.is_array
            or len(values) < MIN_VALUES
            or not all(_BASE32.fullmatch(v) for v in values)
            or 2 * sum(bool(_DIGIT.search(v)) for v in values) < len(values)
        ):
            continue
        proposal.params["alphabet"] = "base32"
        proposal.why.append(
            f"{len(values)} sampled values are base32 (a TOTP seed's alphabet): hashed to"
            " base32 of their length, so they still decode"
        )
