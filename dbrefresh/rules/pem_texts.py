"""PEM private keys inside other text, in `rules init`: config files and notes.

A config file kept in a text column (YAML's `ssl_key: |` followed by the key's indented
lines, an INI or .env file, Keycloak's and an ingress's settings) or a note pasting a key
was kept: no detector read the whole value as a key (pem_keys.py wants the value to open
with the armour), and production's private keys reached staging. A text column that
`rules init` would keep, and of whose sampled values one or more hold a whole private key
block ('-----BEGIN ... PRIVATE KEY-----', a body, '-----END ... PRIVATE KEY-----'),
gets `private_key` with `within_text`: each block replaced in place by a throwaway key of
its kind, its indentation and line breaks kept, every other byte of the text kept (the
YAML still parses), values without a key kept. Certificates and public keys are no
secret: a column of them is left alone. A unique column is hashed instead (one throwaway
key for all might make two values equal). Pure logic over the sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.fitting import choose, column_context, fits
from dbrefresh.rules.pem_keys import IN_PLACE, IN_TEXT, in_text_reason
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

STRATEGY = "private_key"
PARAMS: dict[str, Any] = dict(IN_TEXT)


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    kept: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """`private_key` within text for a text column kept so far whose sample holds
    private keys inside other text (None: no such key, or the column is masked)."""
    if kept.masked or not column.type.is_text or column.generated:
        return None
    if column.name in table.partition_key:
        return None  # masking cannot move rows between partitions: kept with its note
    said = in_text_reason(values or ())
    if said is None:
        return None
    unique = column.name in table.unique_columns()
    ctx = column_context(table, column, unique=unique)
    if fits(strategies[STRATEGY], PARAMS, ctx):
        why = f"{said}: {IN_PLACE}"
        return ColumnProposal(
            column.name, STRATEGY, dict(PARAMS), unique=unique, kind=STRATEGY, why=[why]
        )
    chosen = choose("secret", ctx, strategies)
    if chosen is None:
        kept.why.append(f"REVIEW: {said}, and no masking strategy fits {column.type.sql}")
        return kept
    reason = f"{said}; private_key does not fit ({column.type.sql}"
    reason += ", unique)" if unique else ")"
    return ColumnProposal(
        column.name,
        chosen[0],
        dict(chosen[1]),
        unique=unique,
        kind="secret",
        why=[f"{reason}: the whole value is hashed"],
    )
