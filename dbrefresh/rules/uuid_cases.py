"""Switch cases masking UUIDs that are a kept key's values: kept like the key.

Axon's saga table association_value_entry holds, under association_key 'customerId',
the customer aggregate's id ('2d0f1718-afe1-...'), the very value of
domain_event_entry.aggregate_identifier, which rules init keeps (a key). The switch
on association_key gave that case `digits` (read as a person's register number), and
afterwards 0 of 150 sagas found their aggregate. uuid_refs.py and uuid_copies.py look
at whole columns only: a case of a key/value table went unseen. Here each masked case
whose sampled values are nearly all UUIDs (uuid_copies' UUID_SHARE) is looked up in
the kept key or join columns of other tables (uuid or text, a small table's or one with
an index leading on it); found there (cross_copies' `enough`), the case is kept like
the key, with a note: masking it alone broke the join and hid nothing the key shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.cross_copies import MAX_PROBED, MIN_MATCHES, enough, leading_index
from dbrefresh.rules.mixed_forms import is_uuid
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.rules.text_samples import Ref
from dbrefresh.rules.uuid_copies import UUID_SHARE, keyed

_PER_CASE = 200  # sampled values per case
_TYPES = frozenset({"uuid", "text", "varchar", "bpchar"})  # key columns that can hold UUIDs


def keep_uuid_cases(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    rows: int,
) -> None:
    """Keep, in place, each masked switch case whose values are a kept key's UUIDs."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        for column, proposal in sorted(columns.items()):
            by, cases = proposal.params.get("by"), proposal.params.get("cases")
            if proposal.strategy != "switch" or not isinstance(by, str) or not cases:
                continue
            masked = sorted(str(k) for k, rule in cases.items() if rule != "keep")
            if by not in table.columns or not masked:
                continue
            for case, values in _uuid_cases(conn, table, column, by, masked, rows).items():
                if (found := _key_holding(conn, catalog, proposals, name, values, rows)) is None:
                    continue
                ref, seen = found
                proposal.why.append(
                    f"{case}: but {seen} of {len(values)} sampled values are found in "
                    f"{ref[0]}.{ref[1]} (a key or join column, kept): kept alike so the "
                    f"two still join ({cases[case]} alone broke the join and hid nothing)"
                )
                cases[case] = "keep"


def _uuid_cases(
    conn: psycopg.Connection[Any], table: Table, column: str, by: str, cases: list[str], rows: int
) -> dict[str, list[str]]:
    """Per masked case whose sampled values are nearly all UUIDs, its distinct UUIDs."""
    query = sql.SQL(
        "SELECT {b}::text, {c}::text FROM {s} AS _dbr_s"
        " WHERE {b}::text = ANY({k}) AND {c} IS NOT NULL"
    ).format(
        b=sql.Identifier(by),
        c=sql.Identifier(column),
        s=spread_sample(table, rows),
        k=sql.Literal(cases),
    )
    try:
        sampled = sampled_rows(conn, query)
    except psycopg.Error:  # no SELECT right, timeout
        return {}
    by_case: dict[str, list[str]] = {}
    for case, value in sampled:
        if len(by_case.setdefault(str(case), [])) < _PER_CASE:
            by_case[str(case)].append(str(value).strip())
    found = {}
    for case, values in by_case.items():
        uuids = sorted({v.lower() for v in values if is_uuid(v)})
        if len(uuids) >= MIN_MATCHES and sum(map(is_uuid, values)) >= UUID_SHARE * len(values):
            found[case] = uuids[:MAX_PROBED]
    return found


def _key_holding(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    own: str,
    values: list[str],
    rows: int,
) -> tuple[Ref, int] | None:
    """The first kept key or join column of another table holding enough of the values."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        if name == own or not (0 < table.estimated_rows <= rows or table.indexes):
            continue
        for column, proposal in sorted(columns.items()):
            col = table.columns[column]
            if proposal.masked or col.type.is_array or col.type.base not in _TYPES:
                continue
            if not keyed(catalog, (name, column)):
                continue
            if not (0 < table.estimated_rows <= rows or leading_index(table, column)):
                continue
            found = _found_in(conn, table, column, values)
            if enough(found, len(values)):
                return (name, column), found
    return None


def _found_in(conn: psycopg.Connection[Any], table: Table, column: str, values: list[str]) -> int:
    """How many of the values (lower-case UUIDs) the column holds."""
    uuid = table.columns[column].type.base == "uuid"
    query = sql.SQL("SELECT count(DISTINCT lower({c}::text)) FROM {only}{t} WHERE {match}").format(
        c=sql.Identifier(column),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        match=(
            sql.SQL("{c} = ANY({v}::uuid[])") if uuid else sql.SQL("{c} = ANY({v}::text[])")
        ).format(
            c=sql.Identifier(column),
            v=sql.Literal(values if uuid else values + [v.upper() for v in values]),
        ),
    )
    try:
        return int(sampled_rows(conn, query)[0][0])
    except psycopg.Error:  # no SELECT right, timeout
        return 0
