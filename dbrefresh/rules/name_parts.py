"""Full names that join another table's first and last name, noted in `rules init`.

Twenty's `person."name_firstName"` and `"name_lastName"` got `first_name` and
`last_name`, and the full name copied elsewhere (`messageParticipant."displayName"`,
`timelineActivity."linkedRecordCachedName"`) `full_name`: after masking, none of 1,500
display names matched its person any more, without a word. No rule can keep them
agreeing: `full_name` of 'Anna Schmidt' is not `first_name` of 'Anna' and `last_name`
of 'Schmidt' joined (each picks by the digest of its own value), and a `template`
reads its own row only. So the column gets a REVIEW note naming the parts it joins.

A masked full_name column's sampled distinct values (cross_copies' 50, with a space)
are looked up in each table with a first_name and a last_name column, `first || ' ' ||
last`, in one scan under the sampling's statement timeout; cross_copies' thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog
from dbrefresh.rules import cross_copies
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.text_samples import Ref, TextSample

MAX_PARTS = 4  # (first, last) pairs looked up per table


def note_name_parts(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
) -> None:
    """A REVIEW note on each full_name column joining another table's name parts."""
    fulls = {
        ref: [v for v in sorted(s.values, key=cross_copies.spread) if " " in v.strip()][
            : cross_copies.MAX_PROBED
        ]
        for ref, s in samples.items()
        if ref[0] in proposals and proposals[ref[0]][ref[1]].strategy == "full_name"
    }
    fulls = {
        ref: values for ref, values in fulls.items() if len(values) >= cross_copies.MIN_MATCHES
    }
    if not fulls:
        return
    for table, columns in proposals.items():
        firsts = [c for c, p in columns.items() if p.strategy == "first_name"]
        lasts = [c for c, p in columns.items() if p.strategy == "last_name"]
        for first, last in [(f, la) for f in firsts for la in lasts][:MAX_PARTS]:
            probed = {ref: v for ref, v in fulls.items() if ref[0] != table}
            hits = _joined(conn, catalog, table, first, last, probed)
            for ref, values in probed.items():
                found = sum(1 for v in values if v in hits)
                if cross_copies.enough(found, len(values)):
                    proposals[ref[0]][ref[1]].why.append(
                        f"REVIEW: holds {table}.{first} and {last} joined ({found} of "
                        f"{len(values)} sampled distinct values), masked there as first_name "
                        "and last_name: full_name gives other names, so the two no longer "
                        "match (no rule reads another table's row)"
                    )


def _joined(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    table: str,
    first: str,
    last: str,
    probed: Mapping[Ref, list[str]],
) -> set[str]:
    """The probed values that are `first || ' ' || last` of some row of the table."""
    wanted = sorted({v for values in probed.values() for v in values})
    if not wanted:
        return set()
    info = catalog.tables[table]
    joined = sql.SQL("({} || ' ' || {})").format(sql.Identifier(first), sql.Identifier(last))
    query = sql.SQL(
        "SELECT DISTINCT {j} FROM {only}{t} WHERE {j} IN (SELECT unnest({v}::text[]))"
    ).format(
        j=joined,
        only=sql.SQL("" if info.partitioned else "ONLY "),
        t=sql.Identifier(info.schema, info.name),
        v=sql.Literal(wanted),
    )
    try:
        return {str(v) for (v,) in sampled_rows(conn, query)}
    except psycopg.Error:  # no SELECT right, timeout: nothing noted
        return set()
