"""Addresses of a masked email column in some rows of a mixed column, in `rules init`.

Chatwoot's contact_inboxes.source_id is the contact's email address in the email
inbox's rows, a UUID in the web widget's and a phone number in the SMS inbox's. The
addresses made it text "containing an email address or phone number", so it got
`hash`: the email inbox's source_id no longer matched the masked contacts.email, and
Chatwoot's check that an email inbox's source_id is an address failed. cross_copies.py
sees kept copies only.

A masked column (`hash` or `lorem`) whose sampled values are partly addresses, found
for a good share in a column masked with `email` (looked up like cross_copies.py: a
small table, or an index leading on it), and found only in rows where another column
of the row (few distinct values: inbox_id) holds some values, gets a `switch` by that
column: those values mask like the email column (the same strategy and parameters, so
the two still join), every other value as before (`default`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.cross_copies import MAX_PROBED, MIN_MATCHES, enough, leading_index
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.pii_values import EMAIL
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.base import Strategy

MIXED = frozenset({"hash", "lorem"})  # rules a column of mixed values got
MAX_KEYS = 20  # distinct values of a column that picks the rows holding addresses
_BY_TYPES = frozenset({"int2", "int4", "int8", "text", "varchar", "bpchar", "bool"})


def switch_mixed_emails(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    texts: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """A `switch` for masked columns holding a masked email column's addresses in the
    rows another column picks."""
    sources = _email_columns(catalog, proposals, rows)
    if not sources:
        return
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        for column, proposal in sorted(columns.items()):
            info = table.columns[column]
            if proposal.strategy not in MIXED or info.type.is_array or not info.type.is_text:
                continue
            if not _some_addresses(texts.get((name, column))):
                continue  # (the sample read already says: no row query)
            if (found := _mixed(conn, catalog, table, column, sources, rows)) is not None:
                _switch(table, columns, column, found, proposals, strategies)


def _some_addresses(sample: TextSample | None) -> bool:
    """Whether the column's sample holds a few addresses among other values."""
    if sample is None:
        return False
    mails = sum(1 for v in sample.values if EMAIL.fullmatch(v))
    return MIN_MATCHES <= mails < len(sample.values)


def _email_columns(
    catalog: Catalog, proposals: Mapping[str, dict[str, ColumnProposal]], rows: int
) -> list[Ref]:
    """Columns masked with `email` that can be looked up cheaply."""
    return [
        (name, column)
        for name, columns in sorted(proposals.items())
        for column, p in columns.items()
        if p.strategy == "email"
        and not catalog.tables[name].columns[column].type.is_array
        and (
            0 < catalog.tables[name].estimated_rows <= rows
            or leading_index(catalog.tables[name], column)
        )
    ]


def _mixed(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    table: Table,
    column: str,
    sources: list[Ref],
    rows: int,
) -> tuple[Ref, str, list[str], str] | None:
    """(email column, by column, its values picking the addresses, how many found) or
    None when the column's addresses are no email column's or no column picks them."""
    others = [
        c.name
        for c in sorted(table.columns.values(), key=lambda c: c.num)
        if c.name != column and not c.type.is_array and c.type.base in _BY_TYPES
    ]
    if not others:
        return None
    sample = _sample(conn, table, column, others, rows)
    mails = sorted({v for v, _ in sample if EMAIL.fullmatch(v)})
    if len(mails) < MIN_MATCHES or len(mails) == len({v for v, _ in sample}):
        return None
    probed = mails[:MAX_PROBED]
    best = max(((_found(conn, catalog, ref, probed), ref) for ref in sources), default=(0, None))
    if best[1] is None or not enough(best[0], len(probed)):
        return None
    for i, by in enumerate(others):
        groups: dict[str | None, list[bool]] = defaultdict(list)
        for value, keys in sample:
            groups[keys[i]].append(EMAIL.fullmatch(value) is not None)
        if (picked := _picking(groups, len(sample))) is not None:
            return best[1], by, picked, f"{best[0]} of {len(probed)}"
    return None


def _picking(groups: Mapping[str | None, list[bool]], rows: int) -> list[str] | None:
    """The values of a column that pick the rows holding addresses, when it has few
    values (each in several rows), and each value's rows hold addresses only or none
    (NULL none: `default` covers it); else None."""
    if len(groups) > MAX_KEYS or 2 * len(groups) > rows:
        return None
    if not all(all(g) or not any(g) for g in groups.values()):
        return None
    picked = sorted(k for k, g in groups.items() if all(g) and k is not None)
    rest = [g for k, g in groups.items() if k not in picked]
    if not picked or not rest or any(any(g) for g in rest):
        return None
    return picked


def _sample(
    conn: psycopg.Connection[Any], table: Table, column: str, others: list[str], rows: int
) -> list[tuple[str, list[str | None]]]:
    """(value, the other columns' text) of sampled rows with a non-blank value."""
    only = sql.SQL("" if table.partitioned else "ONLY ")
    query = sql.SQL(
        "SELECT {c}::text, ARRAY[{o}] FROM {only}{t} WHERE btrim({c}::text) <> '' LIMIT {n}"
    ).format(
        c=sql.Identifier(column),
        o=sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(o)) for o in others),
        only=only,
        t=sql.Identifier(table.schema, table.name),
        n=sql.Literal(rows),
    )
    try:
        return [(str(v), list(k)) for v, k in sampled_rows(conn, query)]
    except psycopg.Error:  # no SELECT right, timeout
        return []


def _found(conn: psycopg.Connection[Any], catalog: Catalog, ref: Ref, values: list[str]) -> int:
    table = catalog.tables[ref[0]]
    only = sql.SQL("" if table.partitioned else "ONLY ")
    query = sql.SQL("SELECT count(DISTINCT {c}) FROM {only}{t} WHERE {c}::text = ANY({v})").format(
        c=sql.Identifier(ref[1]),
        only=only,
        t=sql.Identifier(table.schema, table.name),
        v=sql.Literal(values),
    )
    try:
        return int(sampled_rows(conn, query)[0][0])
    except psycopg.Error:
        return 0


def _nested(proposal: ColumnProposal, strategies: Mapping[str, Strategy[Any]]) -> Any:
    """A proposal's rule as a switch case: `unique` only where the strategy has it (a
    column's `unique: true` is no parameter of `hash`)."""
    unique = proposal.unique or bool(proposal.params.get("unique"))
    own = "unique" in strategies[proposal.strategy].params_model.model_fields
    params = {k: v for k, v in proposal.params.items() if k != "unique"}
    return rule_value(
        ColumnProposal(proposal.column, proposal.strategy, params, unique=unique and own)
    )


def _switch(
    table: Table,
    columns: dict[str, ColumnProposal],
    column: str,
    found: tuple[Ref, str, list[str], str],
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    (source, by, picked, seen), old = found, columns[column]
    email = _nested(proposals[source[0]][source[1]], strategies)
    params = {"by": by, "cases": dict.fromkeys(picked, email), "default": _nested(old, strategies)}
    unique = column in table.unique_columns()
    ctx = column_context(table, table.columns[column], unique=unique)
    if not fits(strategies["switch"], params, ctx):
        return
    keys = ", ".join(picked)
    columns[column] = ColumnProposal(
        column,
        "switch",
        params,
        unique=unique,
        kind=old.kind,
        why=[
            *old.why,
            f"addresses of {source[0]}.{source[1]} ({seen} sampled found there) where {by} "
            f"is {keys}: masked like it there (the two still join), {old.strategy} elsewhere",
            f"REVIEW: a new {by} whose rows hold addresses gets {old.strategy}: add it to cases",
        ],
    )
