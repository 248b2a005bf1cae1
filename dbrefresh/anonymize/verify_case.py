"""Originals that survived masking in another case: an `sql` rule reading its own column
(`upper(name)`) writes 'ARMIN SCHMIEDECKE', whose exact hash differs from the sample's.

Anonymize records, beside each text sample's keyed hash, the hash of its lower-case form
(`leak_hashes.folded`); a row whose current value folds to it but is not the original
exactly kept the original in another case. Same samples as the exact check: the folded
hash is computed once per sampled row and column, the exact one only where it matched.
Tables without a usable row key (the by-value check) are not checked here: that would
hash every row of the table a second time.
"""

from __future__ import annotations

from typing import Any

import psycopg

from dbrefresh.rules.relsteps import FOLDED_HASH, RowKey, literal, quote_ident, quote_table


def _case(columns: list[str], make: str) -> str:
    whens = " ".join(f"WHEN {literal(c)} THEN {make.format(col=quote_ident(c))}" for c in columns)
    return f"CASE h.column_name {whens} END"


def case_survivors(
    conn: psycopg.Connection[Any], relation: str, columns: list[str], key: RowKey, join: str
) -> dict[str, int]:
    """Per column, the sampled rows whose value equals the original ignoring case only."""
    names = ", ".join(literal(c) for c in columns)
    where = (
        f"h.table_name = {literal(relation)} AND h.column_name IN ({names}) "
        "AND h.folded IS NOT NULL"
    )
    folded = _case(columns, FOLDED_HASH.format(value="t.{col}::text"))
    exact = _case(columns, "dbrefresh.leak_hash(t.{col}::text)")
    if key.unique:
        rows = conn.execute(
            f"SELECT h.column_name, count(*) FROM dbrefresh.leak_hashes h "
            f"JOIN ONLY {quote_table(relation)} t ON {join} WHERE {where} "
            f"AND {folded} = h.folded AND {exact} <> h.hash GROUP BY 1"
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT h.column_name, count(DISTINCT h) FROM dbrefresh.leak_hashes h "
            f"JOIN ONLY {quote_table(relation)} t ON ({key.sql}) = h.row_key WHERE {where} "
            f"AND {folded} = h.folded AND {exact} <> h.hash GROUP BY 1"
        ).fetchall()
    return {str(c): int(n) for c, n in rows if n}
