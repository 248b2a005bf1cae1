"""Columns of email Message-IDs ('<CAF=abc123@mail.gmail.com>'), in `rules init`.

Twenty's message."headerMessageId" holds one per message; mail threading and dedupe
join on it. The '@' inside made it free text, `lorem` replaced it, and 1,500 distinct
ids became 1,389. A column whose sampled values are (nearly) all of this shape gets
`hash` of the part between '<' and '@', the brackets and the domain (a mail server's,
no person's) kept: '<3fa9...@mail.gmail.com>'. Equal ids stay equal, distinct ones
distinct (the hash is keyed and 32 hex long), and a unique column stays unique.
When every sampled left part is machine-made (a UUID, a hex id, a long run of letters
and digits: `lookalikes.is_message_id`), the column is kept, with a note.
Mailman keeps one id twice: message.message_id and, for a held message, the pending's
'"<id@host>"' (pendedkeyvalue's _mod_message_id, a JSON string: quoted_values.py). Two
samples can judge them apart (one all machine-made, kept; one not, hashed), and the
held message was no longer found. `align` hashes every kept Message-ID column once any
Message-ID rule hashes: the left parts then mask alike everywhere (the hash of the bare
left part, whatever is kept around it), and a machine-made id loses nothing by it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from dbrefresh.catalog import Catalog, Column
from dbrefresh.rules.lookalikes import is_message_id as machine_made
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.rule_alike import containers

# RFC 5322's msg-id: '<' id-left '@' id-right '>', no space or bracket inside
_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
SHARE = 0.9  # of the non-blank sampled values; a stray malformed header or two aside
MIN_SAMPLE = 3
HASH: Final = {"keep_leading": "<", "keep_from": "@"}
MACHINE_MADE = "whose left parts are all machine-made ids: kept"
KIND = "message_id"


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
            why=[f"REVIEW: {shown} {MACHINE_MADE}"],
        )
    return ColumnProposal(
        column.name,
        "hash",
        dict(HASH),
        unique=unique,
        kind=KIND,
        why=[
            f"{shown}: the left part hashed (distinct ids stay distinct, threads still "
            "join), the brackets and the mail server's domain kept"
        ],
    )


def align(catalog: Catalog, proposals: Mapping[str, dict[str, ColumnProposal]]) -> None:
    """Kept Message-ID columns hashed like the others once one Message-ID rule hashes
    (a column's, or a key/value switch case's), so the ids still join."""
    if not any(_hashes_ids(p) for columns in proposals.values() for p in columns.values()):
        return
    for name, columns in proposals.items():
        unique = catalog.tables[name].unique_columns()
        for column, proposal in columns.items():
            if proposal.masked or not any(MACHINE_MADE in w for w in proposal.why):
                continue
            columns[column] = ColumnProposal(
                column,
                "hash",
                dict(HASH),
                unique=column in unique,
                kind=KIND,
                why=[
                    "email Message-IDs ('<left@domain>') whose sampled left parts are "
                    "machine-made, but other Message-IDs of the database are hashed: the "
                    "left part hashed as theirs, so the same id still joins"
                ],
            )


def _hashes_ids(proposal: ColumnProposal) -> bool:
    """Whether the proposal, or a case or path of it, hashes Message-ID left parts."""
    if proposal.kind == KIND and proposal.strategy == "hash":
        return True
    return any(
        _is_id_hash(rule) for rules in containers(proposal.params) for rule in rules.values()
    )


def _is_id_hash(rule: Any) -> bool:
    return (
        isinstance(rule, dict)
        and rule.get("strategy") == "hash"
        and rule.get("keep_from") == HASH["keep_from"]
        and str(rule.get("keep_leading", "")).endswith(HASH["keep_leading"])
    )
