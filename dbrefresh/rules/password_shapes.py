"""Password hashes in `rules init`: `hash` with `alphabet: password_hash` keeps them
hashes of their scheme.

A secret column (or JSON path) whose sampled values are mostly password hashes of a
known scheme (NodeBB's bcrypt '$2a$12$...', Tryton's passlib '$pbkdf2-sha512$...',
Mailman's '$6$rounds=656000$...' in bytea) got plain `hash`: hex, which the
application cannot parse, so login raised instead of refusing the password. The scheme
list is the strategy's (strategies/password_hashes.py); a '$12.50' or a '$name' is none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.password_hashes import scheme_of

THRESHOLD = 0.5  # of the non-blank sampled values, as the value detectors ask
PARAMS: Mapping[str, Any] = {"alphabet": "password_hash"}


def reason(values: Sequence[str] | None) -> str | None:
    """Why these values are password hashes ('157 of 157 sampled values are password
    hashes (bcrypt)'), or None when fewer than half of them are."""
    sample = [v.strip() for v in values or () if v.strip()]
    schemes = [s for v in sample if (s := scheme_of(v)) is not None]
    if not sample or len(schemes) < THRESHOLD * len(sample):
        return None
    names = ", ".join(sorted(set(schemes)))
    return (
        f"{len(schemes)} of {len(sample)} sampled values are password hashes ({names}):"
        " `hash` keeps their scheme, cost and shape, so they still parse"
    )


def as_scheme_hashes(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """A secret's plain `hash` becomes `alphabet: password_hash` for password hashes."""
    if proposal.strategy != "hash" or proposal.params or (why := reason(values)) is None:
        return
    proposal.params = dict(PARAMS)
    proposal.why = [*proposal.why, why]
