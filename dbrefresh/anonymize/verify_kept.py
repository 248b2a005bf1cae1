"""Find a masked column's originals in the columns the rules keep.

The leak check asks whether a masked column kept its own originals; a kept column
holding copies of them passed it untouched (Gitea's `user.lower_name`, lower(name),
kept all 300 usernames while verify said "0 leaks"; so did a `namespaces.path` equal to
`users.username`). Each sampled row's kept text columns, and those of the rows that
reference it or that it references by a foreign key, are hashed with the leak check's
key (whole, each word of their first characters: a URL holding the username, and runs
of words: a title holding the name, verify_joined.py) and compared with the case-folded
hashes of that row's sampled originals: of its masked text columns and of its jsonb
rules' paths (kept_samples.py).

Comparing a row with its own originals (not with every original) is what keeps chance
out: a kept status 'admin' on the row of user 'admin' is one row, a copy is nearly
every row. A finding needs values of MIN_LENGTH characters or more, MIN_MATCHES
distinct originals, and MIN_SHARE both of the row pairs compared and of the distinct
originals compared: a kept timezone 'Europe/Berlin' on most rows of a masked city
'Berlin' matches many rows but few of the cities (docs/anonymize.md). Originals found
only as one plain word (letters only, under TELLING_LENGTH) need MIN_WORD_MATCHES: Wiki.js'
authentication.strategyKey ('github', 'ldap', 'local') matched 3 of a masked
displayName's 4 values ('GitHub', 'LDAP', 'Local'), product names rather than people,
and verify asked to mask the key Wiki.js routes logins on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.anonymize.kept_samples import Samples, sampled_originals
from dbrefresh.anonymize.verify_joined import joined_words, part_runs, word_runs
from dbrefresh.catalog import Catalog, Table
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.plan import RelationStep
from dbrefresh.rules.relsteps import FOLDED_HASH, masked_keys, quote_ident, quote_table, row_key

MIN_LENGTH = 4  # shorter kept values ('NY', 'bob') equal some original by chance
MIN_MATCHES = 3  # distinct originals found before a column is reported
MIN_SHARE = 0.2  # of the (sampled row, kept value) pairs, and of the originals, compared
MIN_WORD_MATCHES = 10  # distinct originals found, when each was one plain word
TELLING_LENGTH = 20  # characters of one plain word that tell as much as several words
ROWS_COMPARED = 2_000  # sampled rows (or related rows) read per table and neighbour
WORDS_OF = 256  # leading characters of a kept value split into words


@dataclass(frozen=True)
class _Neighbour:
    """Rows whose kept text columns are compared with a sampled row's originals."""

    relation: str
    join: str  # SQL joining the sampled row `t` to them (alias `x`); '' for `t` itself
    alias: str
    columns: list[str]
    # a referencing table's foreign-key columns: found through an index on them, or by
    # one hash join (without one, a nested loop read the table once per sampled row)
    lookup: tuple[str, ...] = ()
    # joining them to the samples' row keys without the table (they reference its
    # one-column primary key): a hash join then need not read the whole table too
    direct: str = ""


def kept_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    step: RelationStep,
    masked_in: Mapping[str, set[str]],
    emptied: set[str],
) -> list[Finding]:
    """Findings for kept text columns of the step's table and its foreign-key
    neighbours that hold its masked text columns' (or jsonb paths') sampled originals.
    `masked_in`: the columns the plan masks per relation; `emptied`: relations it
    truncates."""
    table = catalog.tables[step.relation]
    masked = [
        m.column for m in step.masked if m.leak_checked and table.columns[m.column].type.is_text
    ]
    by_value = masked_keys(step.masked, None)
    key = row_key(table, {m.column for m in step.masked}, alias="t", by_value=by_value)
    samples = sampled_originals(conn, step, masked) if key else None
    if key is None or samples is None:
        return []
    findings: list[Finding] = []
    for neighbour in _neighbours(catalog, step.relation, masked_in, emptied):
        # a row key that is a digest of kept columns has no index either
        hashed = not key.unique or not _indexed(conn, neighbour)
        rows = _compare(conn, table, key.sql, key.unique, neighbour, samples, hashed)
        for column, path, kept, compared, matched, distinct, originals, telling in rows:
            if (
                originals >= MIN_MATCHES
                and (telling >= MIN_MATCHES or originals >= MIN_WORD_MATCHES)
                and matched >= MIN_SHARE * compared
                and originals >= MIN_SHARE * distinct
            ):
                where = f"{neighbour.relation}.{kept}"
                source = f"{step.relation}.{column}" + (f" (path {path})" if path else "")
                findings.append(
                    Finding(
                        "kept-copy",
                        f"{where} holds {originals} original value(s) of masked column "
                        f"{source} ({matched} of {compared} sampled value(s) compared)",
                        location=Location(key=where),
                        hint=f"mask {where} too (a rule for it, or compute it from the "
                        "masked column)",
                    )
                )
    return findings


def _kept_text(table: Table, masked: set[str]) -> list[str]:
    """Kept columns that can hold a copy: text, and long enough for MIN_LENGTH."""
    return [
        c.name
        for c in sorted(table.columns.values(), key=lambda c: c.num)
        if c.type.is_text
        and c.name not in masked
        and (c.type.length is None or c.type.length >= MIN_LENGTH)
    ]


def _neighbours(
    catalog: Catalog, relation: str, masked_in: Mapping[str, set[str]], emptied: set[str]
) -> list[_Neighbour]:
    """The table itself, the tables referencing it and those it references."""
    table = catalog.tables[relation]
    found = [_Neighbour(relation, "", "t", _kept_text(table, masked_in.get(relation, set())))]
    primary = next((k.columns for k in table.unique_keys if k.primary), ())
    lineage = catalog.lineage(relation)
    for fk in catalog.foreign_keys:
        if fk.ref_table in lineage and fk.table not in lineage:  # rows referencing it
            other, on, lookup = fk.table, zip(fk.columns, fk.ref_columns, strict=True), fk.columns
        elif fk.table in lineage and fk.ref_table not in lineage:  # rows it references
            other, on, lookup = fk.ref_table, zip(fk.ref_columns, fk.columns, strict=True), ()
        else:
            continue
        if other in emptied or other not in catalog.tables:
            continue
        join = " AND ".join(f"x.{quote_ident(a)} = t.{quote_ident(b)}" for a, b in on)
        columns = _kept_text(catalog.tables[other], masked_in.get(other, set()))
        direct = ""
        # (of this very table: a key of an inheritance parent may name another row)
        if lookup and fk.ref_table == relation and len(primary) == 1 and fk.ref_columns == primary:
            key_type = table.columns[primary[0]].type.sql
            direct = f"x.{quote_ident(fk.columns[0])} = k.row_key::{key_type}"
        found.append(
            _Neighbour(
                other, f"JOIN {quote_table(other)} x ON {join}", "x", columns, lookup, direct
            )
        )
    return [n for n in found if n.columns]


def _indexed(conn: psycopg.Connection[Any], neighbour: _Neighbour) -> bool:
    """Whether the neighbour's rows are found through an index: its own rows and the
    rows it references always are (a primary or unique key); referencing rows when an
    index leads with the foreign key's columns."""
    if not neighbour.lookup:
        return True
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = to_regclass(%s) "
        "AND i.indisvalid AND i.indpred IS NULL AND (SELECT array_agg(a.attname::text "
        "ORDER BY a.attname) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE k.n <= %s) = %s::text[])",
        (quote_table(neighbour.relation), len(neighbour.lookup), sorted(neighbour.lookup)),
    ).fetchone()
    return bool(row and row[0])


def _compare(
    conn: psycopg.Connection[Any],
    table: Table,
    key_sql: str,
    unique: bool,
    neighbour: _Neighbour,
    samples: Samples,
    hashed: bool,
) -> list[tuple[str, str | None, str, int, int, int, int, int]]:
    """(masked column, path, kept column, pairs compared, pairs matched, distinct
    originals compared, distinct originals matched, of them those matched by more than
    one plain word) for one neighbour, in one statement.

    Each compared row carries its sampled row's originals in arrays: joining the
    samples back to the compared values on the row key was a nested loop over both
    (20,000 x 8,000 pairs, 10-20 s a table) whenever leak_hashes had no statistics yet,
    as right after anonymize. `hashed`: no index leads to the compared rows, so they
    are joined by hash, never by a nested loop that reads them once per sampled row
    (the planner chose either, on no statistics of the samples)."""
    primary = next((k for k in table.unique_keys if k.primary), None)
    if unique and primary and len(primary.columns) == 1:
        column = primary.columns[0]
        to_row = f"t.{quote_ident(column)} = k.row_key::{table.columns[column].type.sql}"
    else:
        to_row = f"k.row_key = {key_sql}"
    compared = f"JOIN ONLY {quote_table(table.qualified)} t ON {to_row} {neighbour.join}"
    if unique and neighbour.direct:
        compared = f"JOIN {quote_table(neighbour.relation)} x ON {neighbour.direct}"
    # In the default collation: a nondeterministic one refuses regular expressions, and
    # columns of different collations side by side have none (UNION needs one)
    picked = ", ".join(
        f'{neighbour.alias}.{quote_ident(c)}::text COLLATE "default" AS c{i}'
        for i, c in enumerate(neighbour.columns)
    )
    unpivot = ", ".join(f"(%s, r.c{i})" for i in range(len(neighbour.columns)))
    digest = FOLDED_HASH if samples.folded else "dbrefresh.leak_hash({value})"
    words = f"regexp_split_to_table(left(v.value, {WORDS_OF}), '[^[:alnum:]_]+')"
    joined = joined_words("v.value", WORDS_OF)  # 'dennis.boone': 'dennis boone'
    runs = word_runs("v.value", WORDS_OF)  # 'Call with Anna Schmidt': 'anna schmidt'
    parts = part_runs("v.value", WORDS_OF)  # 'Scan_Anna_Schmidt.pdf': 'anna schmidt'
    matched = "o.hash = ANY(n.kept)"
    telling = f"(w.w !~ '^[[:alpha:]]+$' OR length(w.w) >= {TELLING_LENGTH})"
    statement = (
        "WITH s AS MATERIALIZED (SELECT h.row_key, array_agg(h.column_name) AS columns, "
        "array_agg(h.path) AS paths, array_agg(h.hash) AS hashes "
        f"FROM ({samples.sql}) h GROUP BY h.row_key), "
        f"r AS MATERIALIZED (SELECT k.columns, k.paths, k.hashes, {picked} FROM s k {compared} "
        f"LIMIT {ROWS_COMPARED}), "
        "n AS MATERIALIZED (SELECT r.columns, r.paths, r.hashes, v.column_name, f.kept, "
        "f.told FROM r CROSS JOIN LATERAL (VALUES "
        f"{unpivot}) AS v(column_name, value) CROSS JOIN LATERAL (SELECT "
        "array_agg(x.h) AS kept, array_agg(x.h) FILTER (WHERE x.t) AS told FROM (SELECT "
        f"{digest.format(value='w.w')} AS h, {telling} AS t "
        f"FROM (SELECT v.value UNION SELECT {words} UNION {joined} UNION {runs} "
        f"UNION {parts}) w(w) WHERE length(w.w) >= {MIN_LENGTH}) x) f "
        f"WHERE length(v.value) >= {MIN_LENGTH}) "
        f"SELECT o.column_name, o.path, n.column_name, count(*), count(*) FILTER (WHERE "
        f"{matched}), count(DISTINCT o.hash), count(DISTINCT o.hash) FILTER (WHERE {matched}), "
        "count(DISTINCT o.hash) FILTER (WHERE o.hash = ANY(n.told)) "
        "FROM n CROSS JOIN LATERAL unnest(n.columns, n.paths, n.hashes) "
        "AS o(column_name, path, hash) GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3"
    )
    before = None
    with conn.transaction():  # a savepoint in verify's transaction: restored on error
        if hashed:
            before = conn.execute(
                "SELECT current_setting('enable_nestloop'), "
                "set_config('enable_nestloop', 'off', true)"
            ).fetchone()
        rows = conn.execute(statement, neighbour.columns).fetchall()
        if before:
            conn.execute("SELECT set_config('enable_nestloop', %s, true)", (before[0],))
    return [
        (str(a), None if p is None else str(p), str(b), int(c), int(d), int(e), int(f), int(g))
        for a, p, b, c, d, e, f, g in rows
    ]
