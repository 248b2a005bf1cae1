"""Masked uuid columns that reference a kept key of another table, in `rules init`.

Umami's `session_data.session_id uuid` got `uuid` because its table's name says
"session" (a table of sessions: its ids taken for secrets), while `session.session_id`,
the key it references without a foreign key, was kept: afterwards 0 of 6,000 rows
joined their session. A session's id that is a table's key (joined by other tables)
is an identifier, not a secret, unless the key itself is masked alike everywhere, which
rules init never proposes (it masks no key). rules init samples no uuid column (its
value detectors read text), so each masked uuid column's distinct values are read
here and looked up in the other tables' uuid key and join columns (uuid_copies.py's):
found there, the column is kept like the key, with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.cross_copies import MAX_PROBED, MIN_MATCHES, enough
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.rules.uuid_copies import found_in, keyed, uuid_columns


def keep_uuid_references(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    rows: int,
) -> None:
    """Keep each masked uuid column whose values are found in a kept key of another
    table, in place."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        for column, proposal in sorted(columns.items()):
            info = table.columns[column]
            if not proposal.masked or info.type.base != "uuid" or info.type.is_array:
                continue
            values = _distinct(conn, table, column, rows)
            if len(values) < MIN_MATCHES:
                continue
            for ref in uuid_columns(catalog, proposals, name, rows):
                if proposals[ref[0]][ref[1]].masked or not keyed(catalog, ref):
                    continue
                found = found_in(conn, catalog.tables[ref[0]], ref[1], values)
                if enough(found, len(values)):
                    columns[column] = ColumnProposal(
                        column,
                        why=[
                            *proposal.why,
                            f"but {found} of {len(values)} sampled values are found in "
                            f"{ref[0]}.{ref[1]} (a key or join column, kept): it references "
                            f"that key, kept alike so the two still join ({proposal.strategy} "
                            "alone broke the join and hid nothing the key does not show)",
                        ],
                    )
                    break


def _distinct(conn: psycopg.Connection[Any], table: Table, column: str, rows: int) -> list[str]:
    """Up to MAX_PROBED distinct values of the column, from a spread sample, as text."""
    query = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {s} AS _dbr_s WHERE {c} IS NOT NULL ORDER BY 1 LIMIT {n}"
    ).format(c=sql.Identifier(column), s=spread_sample(table, rows), n=sql.Literal(MAX_PROBED))
    try:
        return [str(v) for (v,) in sampled_rows(conn, query)]
    except psycopg.Error:  # no SELECT right, timeout
        return []
