"""Kept columns that copy a masked column of their row, in `rules init`.

Applications keep a person's identifier twice: WordPress's user_nicename beside
user_login, a profile's website (https://abentley244.example.org/) or avatar path
beside the username, a normalized_email = lower(email). The value detectors see none
of them (a URL, a slug), so they were kept while the column they copy was masked.
A sample of rows compares each kept text column with each masked one of the same row:
- a copy (equal in nearly every row) gets the masked column's rule: the same
  strategy on the same value gives the same output, so the two still agree;
- a case-folded copy, or a value holding the masked one inside it, gets a REVIEW note
  naming the column it copies (no strategy rebuilds a URL around a masked name); held
  inside, the masked values must differ from row to row (one word such as 'image' in
  'image_1920' is no one's identifier).
A copy under a key, or of a rule that reads more than the value, keeps its proposal
with a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sample_clause, sampled_rows

MIN_LENGTH = 4  # a masked value shorter than this is found inside too much by chance
MIN_ROWS = 5  # rows where both columns hold a value, before anything is judged
COPY_SHARE = 0.9  # equal in this share of those rows: a copy
INSIDE_SHARE = 0.2  # found inside the kept value in this share: worth a note
# ...and as many different values in half those rows: a person's identifier differs from
# row to row, where Odoo's index_content 'image' inside res_field 'image_1920' is one word
DISTINCT_INSIDE_SHARE = 0.5
MAX_PAIRS = 200  # (kept, masked) pairs compared per table
# Rules not copied to a kept copy: their output depends on more than the value (other
# columns, the row's position, the user's SQL), so the copy would not match; `null`
# is no copy of anything.
_NOT_COPIED = frozenset({"switch", "jsonb", "shuffle", "template", "sql", "null"})


# Names of columns other tables join on even without a foreign key (Nextcloud's
# oc_authtoken.uid, a copy of login_name): masked alone, every token lost its user.
_IDENTIFIER = re.compile(r"(^|_)(u?id|userid|key|uuid|ref|code)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Pair:
    kept: str
    masked: str
    both: int = 0
    equal: int = 0
    folded: int = 0
    inside: int = 0
    inside_distinct: int = 0  # different masked values among those found inside


def note_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    rows: int,
) -> None:
    """Mask kept copies of masked columns alike, and note kept values holding them."""
    for name, columns in proposals.items():
        table = catalog.tables[name]
        pairs = _pairs(table, columns)
        if not pairs:
            continue
        try:
            measured = _measure(conn, table, pairs, rows)
        except psycopg.Error:  # no SELECT right, timeout: the proposals stay as they are
            continue
        # join columns (uid, userid: joined on without a key), unique and key columns
        keyed = {c for c in columns if _IDENTIFIER.search(c)} | table.unique_columns()
        for fk in catalog.fks_touching(name):
            keyed |= set(fk.columns if fk.table == name else ())
            keyed |= set(fk.ref_columns if fk.ref_table == name else ())
        for pair in measured:
            _judge(columns, pair, constrained=pair.kept in keyed)


def _pairs(table: Table, columns: Mapping[str, ColumnProposal]) -> list[_Pair]:
    masked = [c for c, p in columns.items() if p.masked and table.columns[c].type.is_text]
    kept = [
        c
        for c, p in columns.items()
        if not p.masked and table.columns[c].type.is_text and not table.columns[c].generated
    ]
    return [_Pair(k, m) for k in kept for m in masked][:MAX_PAIRS]


_COUNTS = 5  # counts measured per pair, in _Pair's order


def _measure(
    conn: psycopg.Connection[Any], table: Table, pairs: list[_Pair], rows: int
) -> list[_Pair]:
    """Per pair, over a sample: rows with both values, equal, equal case-folded, and
    the masked value inside the kept one."""
    counts: list[sql.Composable] = []
    for pair in pairs:
        k, m = sql.Identifier("_dbr_s", pair.kept), sql.Identifier("_dbr_s", pair.masked)
        # a blank kept value is no evidence either way (GitLab's twitter NOT NULL
        # DEFAULT '': half the rows blank hid an exact copy in the other half)
        both = sql.SQL(
            "{k} IS NOT NULL AND {k}::text <> '' AND {m} IS NOT NULL AND length({m}) >= {n}"
        ).format(k=k, m=m, n=sql.Literal(MIN_LENGTH))
        counts += [
            sql.SQL("count(*) FILTER (WHERE {b})").format(b=both),
            sql.SQL("count(*) FILTER (WHERE {b} AND {k}::text = {m}::text)").format(
                b=both, k=k, m=m
            ),
            sql.SQL("count(*) FILTER (WHERE {b} AND lower({k}::text) = lower({m}::text))").format(
                b=both, k=k, m=m
            ),
            sql.SQL(
                "count(*) FILTER (WHERE {b} AND strpos(lower({k}::text), lower({m}::text)) > 0)"
            ).format(b=both, k=k, m=m),
            sql.SQL(
                "count(DISTINCT lower({m}::text)) FILTER"
                " (WHERE {b} AND strpos(lower({k}::text), lower({m}::text)) > 0)"
            ).format(b=both, k=k, m=m),
        ]
    only = sql.SQL("" if table.partitioned else "ONLY ")
    query = sql.SQL("SELECT {} FROM (SELECT * FROM {}{}{} LIMIT {}) AS _dbr_s").format(
        sql.SQL(", ").join(counts),
        only,
        sql.Identifier(table.schema, table.name),
        sample_clause(table.estimated_rows, rows),
        sql.Literal(rows),
    )
    [row] = sampled_rows(conn, query)
    return [
        _Pair(p.kept, p.masked, *(int(v) for v in row[_COUNTS * i : _COUNTS * (i + 1)]))
        for i, p in enumerate(pairs)
    ]


def _judge(columns: dict[str, ColumnProposal], pair: _Pair, *, constrained: bool) -> None:
    if pair.both < MIN_ROWS or columns[pair.kept].masked:
        return
    source = columns[pair.masked]

    def seen(count: int) -> str:
        return f"in {count} of {pair.both} sampled rows"

    if pair.equal >= COPY_SHARE * pair.both:
        if not constrained and source.strategy not in _NOT_COPIED:
            columns[pair.kept] = ColumnProposal(
                pair.kept,
                source.strategy,
                dict(source.params),
                kind=source.kind,
                why=[
                    f"a copy of {pair.masked} ({seen(pair.equal)}): masked alike, so the "
                    "two still agree"
                ],
            )
            return
        why = "a key or join column" if constrained else f"{source.strategy} reads more than it"
        columns[pair.kept].why.append(
            f"REVIEW: a copy of {pair.masked} ({seen(pair.equal)}), which is masked; kept "
            f"({why}): mask it like {pair.masked} by hand"
        )
    elif pair.folded >= COPY_SHARE * pair.both:
        columns[pair.kept].why.append(
            f"REVIEW: {pair.masked} in another case ({seen(pair.folded)}), which is "
            "masked: derived from it? rebuild it in staging, or mask it (`null`)"
        )
    elif (
        pair.inside >= INSIDE_SHARE * pair.both
        and pair.inside_distinct >= DISTINCT_INSIDE_SHARE * pair.inside
    ):
        columns[pair.kept].why.append(
            f"REVIEW: holds the row's {pair.masked}, which is masked, inside it "
            f"({seen(pair.inside)}): kept, it tells what {pair.masked} hides"
        )
