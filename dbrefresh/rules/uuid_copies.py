"""Masked text columns that copy a kept uuid column of another table, in `rules init`.

Saleor's `order_order.checkout_token varchar(36)` holds `checkout_checkout.token uuid`
as text: hashed by its name while the uuid key was kept, the join
`checkout.token::text = order.checkout_token` found 0 of 30 rows, and the token stayed
readable in the key anyway. copies.py and cross_copies.py compare text with text, so
a copy across uuid and text went unseen. Each masked text column whose sampled values
are UUIDs is looked up in the uuid columns of other tables (a small table's, or one
with an index leading on it); when enough are found there:
- a uuid key or join column (kept: rules init masks no key) keeps the copy too, with a
  REVIEW note on both (masking both with `uuid` keeps them equal: the strategy digests
  a uuid's text form);
- a plain uuid column (kept, or masked with `uuid` by its name) and its copy both get
  the `uuid` strategy, equal values still equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Column, Table
from dbrefresh.rules.copies import IDENTIFIER
from dbrefresh.rules.cross_copies import MAX_PROBED, MIN_MATCHES, enough, leading_index
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.provider_ids import keeps_identifiers
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.base import Strategy

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UUID_SHARE = 0.9  # of a column's distinctive sampled values: a column of UUIDs
SOURCES = frozenset({"keep", "uuid"})  # uuid columns' rules a text copy can follow


def align_uuid_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """Keep or mask alike masked text copies of other tables' uuid columns."""
    for (name, column), sample in sorted(samples.items()):
        proposal = proposals.get(name, {}).get(column)
        if proposal is None or not proposal.masked or keeps_identifiers(proposal):
            continue
        values = sorted(v for v in sample.values if _UUID.fullmatch(v))
        if len(values) < MIN_MATCHES or len(values) < UUID_SHARE * len(sample.values):
            continue
        probed = values[:MAX_PROBED]
        for ref in uuid_columns(catalog, proposals, name, rows):
            found = found_in(conn, catalog.tables[ref[0]], ref[1], probed)
            if enough(found, len(probed)):
                _align(catalog, proposals, (name, column), ref, f"{found} of {len(probed)}")
                _mask_both(catalog, proposals, (name, column), ref, strategies)
                break


def uuid_columns(
    catalog: Catalog, proposals: Mapping[str, dict[str, ColumnProposal]], own: str, rows: int
) -> list[Ref]:
    """Uuid columns of other tables, kept or masked with `uuid`, that can be looked up
    cheaply."""
    found = []
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        if name == own:
            continue
        for column, proposal in columns.items():
            col: Column = table.columns[column]
            if col.type.base != "uuid" or col.type.is_array or proposal.strategy not in SOURCES:
                continue
            if 0 < table.estimated_rows <= rows or leading_index(table, column):
                found.append((name, column))
    return found


def found_in(conn: psycopg.Connection[Any], table: Table, column: str, values: list[str]) -> int:
    only = sql.SQL("" if table.partitioned else "ONLY ")
    query = sql.SQL(
        "SELECT count(DISTINCT {c}) FROM {only}{t} WHERE {c} = ANY({v}::uuid[])"
    ).format(
        c=sql.Identifier(column),
        only=only,
        t=sql.Identifier(table.schema, table.name),
        v=sql.Literal(values),
    )
    try:
        return int(sampled_rows(conn, query)[0][0])
    except psycopg.Error:  # no SELECT right, timeout
        return 0


def keyed(catalog: Catalog, ref: Ref) -> bool:
    """A key or join column (rules init masks none: it is kept, and so is its copy)."""
    table = catalog.tables[ref[0]]
    return (
        IDENTIFIER.search(ref[1]) is not None
        or ref[1] in table.unique_columns()
        or ref[1] in table.partition_key
        or any(
            (fk.table == ref[0] and ref[1] in fk.columns)
            or (fk.ref_table == ref[0] and ref[1] in fk.ref_columns)
            for fk in catalog.fks_touching(ref[0])
        )
    )


def _align(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    copy: Ref,
    source: Ref,
    seen: str,
) -> None:
    """A copy of a uuid key: kept like it, with a note on both."""
    if not keyed(catalog, source):
        return
    copy_name, source_name = f"{copy[0]}.{copy[1]}", f"{source[0]}.{source[1]}"
    masked = proposals[copy[0]][copy[1]]
    proposals[copy[0]][copy[1]] = ColumnProposal(
        copy[1],
        why=[
            *masked.why,
            f"REVIEW: a copy of {source_name} (uuid, a key or join column, kept) as text "
            f"({seen} sampled values): kept alike, so the two still join (masked alone, "
            f"{masked.strategy} broke the join and hid nothing); to hide both, give both "
            "`uuid` (equal values stay equal)",
        ],
    )
    proposals[source[0]][source[1]].why.append(
        f"REVIEW: {copy_name} holds its values as text: kept alike; to hide both, give both `uuid`"
    )


def _mask_both(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    copy: Ref,
    source: Ref,
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """A copy of a plain uuid column: both masked with `uuid`, so they stay equal."""
    if keyed(catalog, source):
        return
    tables = catalog.tables
    seen = f"{copy[0]}.{copy[1]} and {source[0]}.{source[1]}"
    for ref in (copy, source):
        table, old = tables[ref[0]], proposals[ref[0]][ref[1]]
        unique = ref[1] in table.unique_columns()
        ctx = column_context(table, table.columns[ref[1]], unique=unique)
        if not fits(strategies["uuid"], {}, ctx):
            return
    for ref in (copy, source):
        old = proposals[ref[0]][ref[1]]
        if old.strategy == "uuid":
            continue  # (a uuid token masked by its name already)
        proposals[ref[0]][ref[1]] = ColumnProposal(
            ref[1],
            "uuid",
            unique=ref[1] in tables[ref[0]].unique_columns(),
            kind=old.kind or "secret",
            why=[*old.why, f"{seen} hold the same UUIDs (uuid and text): both `uuid`, equal"],
        )
