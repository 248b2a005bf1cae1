"""Columns of email Message-IDs ('<CAF=abc123@mail.gmail.com>'), in `rules init`.

Twenty's message."headerMessageId" holds one per message; mail threading and dedupe
join on it. The '@' inside made it free text, `lorem` replaced it, and 1,500 distinct
ids became 1,389. A column whose sampled values are (nearly) all of this shape gets
`hash` of the part between '<' and '@', the brackets and the domain (a mail server's,
no person's) kept: '<3fa9...@mail.gmail.com>'. Equal ids stay equal, distinct ones
distinct (the hash is keyed and 32 hex long), and a unique column stays unique.
When every sampled left part is machine-made (a UUID, a hex id, a long run of letters
and digits: `lookalikes.is_message_id`), the column is kept, with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from dbrefresh.catalog import Column
from dbrefresh.rules.lookalikes import is_message_id as machine_made
from dbrefresh.rules.proposal import ColumnProposal

# RFC 5322's msg-id: '<' id-left '@' id-right '>', no space or bracket inside
_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
SHARE = 0.9  # of the non-blank sampled values; a stray malformed header or two aside
MIN_SAMPLE = 3
HASH: Final = {"keep_leading": "<", "keep_from": "@"}


def is_message_id(value: str) -> bool:
    return _MESSAGE_ID.fullmatch(value.strip()) is not None


def proposal(
    column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """A `hash` of each id's left part for a text column of Message-IDs, else None."""
    sample = [v for v in values or () if v.strip()]
    if column.type.is_array or not column.type.is_text or len(sample) < MIN_SAMPLE:
        return None
    found = sum(map(is_message_id, sample))
    if found < SHARE * len(sample):
        return None
    shown = f"{found} of {len(sample)} sampled values are email Message-IDs ('<left@domain>')"
    if all(machine_made(v.strip()[1:].split("@", 1)[0]) for v in sample if is_message_id(v)):
        return ColumnProposal(
            column.name,
            why=[f"REVIEW: {shown} whose left parts are all machine-made ids: kept"],
        )
    return ColumnProposal(
        column.name,
        "hash",
        dict(HASH),
        unique=unique,
        kind="message_id",
        why=[
            f"{shown}: the left part hashed (distinct ids stay distinct, threads still "
            "join), the brackets and the mail server's domain kept"
        ],
    )
