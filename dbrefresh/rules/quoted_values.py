"""The rule for values that are each one JSON string kept in text, by the value's kind.

Mailman's pendedkeyvalue.value is json.dumps(value): '"ann@x.org"' under 'email',
'"Ann Lee"' under 'display_name', '"subscriber"' under 'token_owner'. Every personal
key got `template: '"{hash}"'`, keeping the quotes but nothing else: the subscriber's
address no longer matched the masked address.email, a display name became hex, the
enum token_owner (named for a token) could no longer be read, the list's own address
'users@lists.example.org' (_mod_fqdn_listname) was destroyed, and _mod_message_id no
longer joined message.message_id. Inside its quotes each value now gets its kind's rule:
- an address: `email` with `within` (the quotes kept, the address masked exactly as
  alone, so it matches the email columns; rules init aligns its fold_case and unique);
  under a key naming a mailing list's own address (fqdn_listname) it is kept;
- a person's name: '"{full_name}"' (dictionary names hold no quote or backslash);
- a Message-ID: the left part hashed between '"<' and '@', as message_ids.py hashes a
  column's, so the two still join (message_ids.align hashes a kept one too);
- under a key named for a secret, a few lower-case words repeated over the rows
  ('subscriber', 'moderator', 'no_one') are an enum: kept;
- anything else: '"{hash}"', as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii
from dbrefresh.rules.message_ids import HASH as MESSAGE_ID_HASH
from dbrefresh.rules.message_ids import KIND as MESSAGE_ID
from dbrefresh.rules.proposal import ColumnProposal

QUOTED = "each value is one JSON string kept in text"
MAX_ENUM = 10  # different values an enum shows
MIN_REPEATS = 3  # sampled values per different value, on average
_ENUM_WORD = re.compile(r"[a-z]{2,20}(?:_[a-z]{2,20}){0,3}")  # 'no_one', 'subscriber'
_NAME_STRATEGIES = frozenset({"full_name", "first_name", "last_name"})
# a mailing list's own address (Mailman's _mod_fqdn_listname, a posting address)
_LIST_ADDRESS = re.compile(r"(^|_)(fqdn_)?(listname|list_(name|address|email))$|posting_address$")


def quoted_rule(
    name: str, column: str, judged: ColumnProposal, texts: Sequence[str]
) -> ColumnProposal:
    """The rule masking the texts inside their quotes, as `judged` (their rule as bare
    text) would mask them bare; `judged` is masked."""
    if judged.kind == "secret" and _enum(texts):
        return ColumnProposal(
            column,
            why=[
                *judged.why,
                f"but its sampled values are {len(set(texts))} lower-case words repeated "
                "over the rows (an enum the application reads): kept",
            ],
        )
    if judged.strategy == "email":
        if _LIST_ADDRESS.search(pii.normalize(name)):
            return ColumnProposal(
                column,
                why=[
                    "addresses under a key naming a mailing list's own address: no person's, kept"
                ],
            )
        params = {k: v for k, v in judged.params.items() if k != "lists"}
        return ColumnProposal(
            column,
            "email",
            {**params, "within": True},
            unique=judged.unique,
            kind=judged.kind,
            why=[*judged.why, f"{QUOTED}: the address masked inside its quotes (`within`)"],
        )
    if judged.strategy in _NAME_STRATEGIES:
        return _template(column, judged, f'"{{{judged.strategy}}}"', "a name inside its quotes")
    if judged.kind == MESSAGE_ID:
        params = {**MESSAGE_ID_HASH, "keep_leading": '"' + MESSAGE_ID_HASH["keep_leading"]}
        return ColumnProposal(
            column,
            "hash",
            params,
            unique=judged.unique,
            kind=judged.kind,
            why=[*judged.why, f"{QUOTED}: its quote kept too, so it joins the bare ids"],
        )
    return _template(column, judged, '"{hash}"', "hashed inside its quotes")


def _template(column: str, judged: ColumnProposal, template: str, said: str) -> ColumnProposal:
    return ColumnProposal(
        column,
        "template",
        {"template": template},
        kind=judged.kind,
        why=[*judged.why, f"{QUOTED}: {said}"],
    )


def _enum(texts: Sequence[str]) -> bool:
    """A few lower-case words, each repeated: an enum's values, no secret's."""
    different = set(texts)
    return (
        0 < len(different) <= MAX_ENUM
        and len(texts) >= MIN_REPEATS * len(different)
        and all(_ENUM_WORD.fullmatch(t) for t in different)
    )
