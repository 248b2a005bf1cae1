"""CHECK constraints held against masked values on a sample, without writing a row.

A rule whose masked values break a validated CHECK constraint (the table's, or a
domain's its column uses) fails the refill. The preflight finds it on a sample, but
PostgreSQL names one constraint and no rule. Here each constraint reading a masked
column is evaluated over the sample of masked rows (RelationStep.sample_select), so
`anonymize` names table, column, rule and constraint (anonymize/preflight.py), and
`rules init` tries another strategy before proposing one anonymize would refuse
(rules/initcheck.py). NOT VALID constraints are anonymize/notvalid.py's.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import psycopg

from dbrefresh.errors import first_line
from dbrefresh.rules.relsteps import quote_ident, quote_table
from dbrefresh.strategies.keyed import derive_key
from dbrefresh.strategies.sqlsupport import install

# The seed `rules check --dsn` masks its sample with: anonymize's preflight masks the
# same sample with it too (anonymize/preflight.py), so both find the same refusals.
RULES_CHECK_SEED = "dbrefresh rules check"

# A table's validated CHECK constraints and the columns each reads, and those of the
# domains its columns are of (directly, through other domains, or as the type of a
# field of a composite column: a `composite` rule's zip under a domain's CHECK).
_TABLE_CHECKS = """
SELECT c.conname::text, NULL, pg_get_constraintdef(c.oid), pg_get_expr(c.conbin, c.conrelid),
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ORDER BY a.attnum)
  FROM pg_constraint c
 WHERE c.conrelid = %(rel)s::regclass AND c.contype = 'c' AND c.convalidated
UNION ALL
SELECT c.conname::text, format_type(t.oid, NULL), pg_get_constraintdef(c.oid), NULL,
       array_agg(DISTINCT reach.col ORDER BY reach.col)
  FROM (WITH RECURSIVE reach(col, typid) AS (
            SELECT a.attname::text, a.atttypid FROM pg_attribute a
             WHERE a.attrelid = %(rel)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attname = ANY (%(columns)s::text[])
            UNION
            SELECT reach.col, under.typid FROM reach JOIN pg_type t ON t.oid = reach.typid
             CROSS JOIN LATERAL (SELECT t.typbasetype WHERE t.typtype = 'd'
                                 UNION ALL
                                 SELECT f.atttypid FROM pg_attribute f
                                  WHERE t.typtype = 'c' AND f.attrelid = t.typrelid
                                    AND f.attnum > 0 AND NOT f.attisdropped) AS under(typid))
        SELECT * FROM reach) AS reach
  JOIN pg_type t ON t.oid = reach.typid AND t.typtype = 'd'
  JOIN pg_constraint c ON c.contypid = t.oid AND c.contype = 'c' AND c.convalidated
 GROUP BY c.oid, c.conname, t.oid
 ORDER BY 1
"""


# Which of these relations have a validated CHECK constraint reading one of the columns
# given for it ({"schema"."name": [column, ...]}): one query for any number of tables.
_READING = """
SELECT j.key FROM jsonb_each(%s::jsonb) AS j(key, columns)
 WHERE EXISTS (SELECT FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                WHERE c.conrelid = to_regclass(j.key) AND c.contype = 'c' AND c.convalidated
                  AND a.attname::text IN (SELECT jsonb_array_elements_text(j.columns)))
"""


@dataclass(frozen=True)
class Check:
    """One validated CHECK constraint bearing on masked columns of one relation."""

    name: str
    domain: str | None  # the domain it belongs to, or None: the table's own
    definition: str  # pg_get_constraintdef: 'CHECK (...)'
    expression: str | None  # the table's: SQL over the row's columns, named bare
    columns: tuple[str, ...]  # the masked columns it reads (a domain's: those of its type)

    def describe(self) -> str:
        owner = f" of domain {self.domain}" if self.domain else ""
        return f'check constraint "{self.name}"{owner} ({self.definition})'


@dataclass(frozen=True)
class Break:
    """A check masked sample rows break: how many of how many sampled (None: the
    masked values were refused outright, a domain's cast), or the error evaluating it."""

    check: Check
    rows: int | None = None
    sampled: int | None = None
    error: str | None = None

    def what(self) -> str:
        if self.error:
            return f"masked values make {self.check.describe()} fail: {self.error}"
        count = f"{self.rows} of {self.sampled} sampled rows" if self.rows is not None else ""
        return f"{count or 'masked values'} break {self.check.describe()}"


@contextmanager
def masking_functions(conn: psycopg.Connection[Any], seed: str) -> Iterator[str | None]:
    """A transaction rolled back at the end, with the masking functions installed in it
    and a key from `seed`: None, or why they could not be installed (a read-only role,
    a standby), and nothing is evaluated. For commands that run where nothing may stay
    (`rules init`, `rules check`: production, say)."""
    with conn.transaction(force_rollback=True):
        refused = None
        try:
            with conn.transaction():
                conn.execute("SELECT set_config('dbrefresh.key', %s, true)", (derive_key(seed),))
                install(conn)
        except psycopg.Error as exc:
            refused = first_line(exc)
        yield refused


def relation_checks(
    conn: psycopg.Connection[Any], relation: str, masked: Collection[str]
) -> list[Check]:
    """The validated CHECK constraints (the table's and its masked columns' domains')
    reading at least one masked column."""
    rows = conn.execute(
        _TABLE_CHECKS, {"rel": quote_table(relation), "columns": list(masked)}
    ).fetchall()
    out = []
    for name, domain, definition, expression, columns in rows:
        reads = tuple(c for c in columns or () if c in masked)
        if reads:
            out.append(Check(name, domain, definition, expression, reads))
    return out


def checked_relations(
    conn: psycopg.Connection[Any], masked: Mapping[str, Sequence[str]]
) -> set[str]:
    """The relations ('schema.name') with a validated CHECK constraint of their own
    reading one of their masked columns (domains aside: the catalog knows those)."""
    if not masked:
        return set()
    by_quoted = {quote_table(r): r for r in masked}
    wanted = json.dumps({quote_table(r): list(c) for r, c in masked.items()})
    return {by_quoted[row[0]] for row in conn.execute(_READING, (wanted,))}


def breaks(
    conn: psycopg.Connection[Any], sample_select: str, checks: Sequence[Check]
) -> list[Break]:
    """The checks the masked sample breaks: a domain's by masking its columns alone (the
    cast refuses), the table's in one scan of the sample for them all (each in a
    savepoint of its own only when that scan fails). Nothing is written."""
    domains = [c for c in checks if c.domain]
    found = list(
        {
            b.check: b for c in domains for b in _domain_break(conn, sample_select, c, domains)
        }.values()
    )
    own = [c for c in checks if c.expression is not None]
    if not own:
        return found
    counts = "".join(f", count(*) FILTER (WHERE ({c.expression}) IS FALSE)" for c in own)
    try:
        with conn.transaction():
            row = conn.execute(
                f"SELECT count(*){counts} FROM ({sample_select}) AS _dbr_m"
            ).fetchone()
    except psycopg.Error as exc:
        if (exc.sqlstate or "")[:2] not in {"22", "23", "42"}:
            raise
        return found + _one_by_one(conn, sample_select, own, exc)
    assert row is not None
    return found + [Break(c, int(n), int(row[0])) for c, n in zip(own, row[1:], strict=True) if n]


def _domain_break(
    conn: psycopg.Connection[Any], sample_select: str, check: Check, domains: Sequence[Check]
) -> list[Break]:
    """[Break] of the domain check refusing the cast of the masked values of `check`'s
    columns (the domain's own, or one of a domain under it: the cast checks them all),
    [] if none does. Each column alone: two columns reaching one domain (an address
    type's zip in two composite columns, one rule masking it) name the one refused.
    Only the column read is computed: PostgreSQL drops a subquery's unused outputs."""
    refused: dict[Check, list[str]] = {}
    for column in check.columns:
        try:
            with conn.transaction():
                conn.execute(
                    f"SELECT count({quote_ident(column)}) FROM ({sample_select}) AS _dbr_m"
                )
        except psycopg.errors.CheckViolation as exc:
            named = [d for d in domains if d.name == exc.diag.constraint_name]
            if not named:
                raise
            refused.setdefault(named[0], []).append(column)
    return [Break(replace(d, columns=tuple(columns))) for d, columns in refused.items()]


def _one_by_one(
    conn: psycopg.Connection[Any], sample_select: str, own: Sequence[Check], failed: psycopg.Error
) -> list[Break]:
    """After the scan of them all failed: each check alone, an error being its break
    (`CHECK (phone::bigint > 0)` over a masked '+49 ...'). A sample that fails alone is
    no check's doing: its error goes on."""
    try:
        with conn.transaction():
            conn.execute(f"SELECT count(*) FROM ({sample_select}) AS _dbr_m")
    except psycopg.Error:
        raise failed from None
    out = []
    for check in own:
        try:
            with conn.transaction():
                row = conn.execute(
                    f"SELECT count(*), count(*) FILTER (WHERE ({check.expression}) IS FALSE) "
                    f"FROM ({sample_select}) AS _dbr_m"
                ).fetchone()
        except (psycopg.errors.CheckViolation, psycopg.errors.UndefinedColumn):
            # it reads a column a domain refused (that break is named already), or a
            # generated one, which the sample leaves out (computed from the masked row)
            continue
        except psycopg.Error as exc:
            out.append(Break(check, error=first_line(exc)))
            continue
        assert row is not None
        if row[1]:
            out.append(Break(check, int(row[1]), int(row[0])))
    return out


def explain(
    relation: str,
    found: Sequence[Break],
    origins: Mapping[str, str | None],
    strategies: Mapping[str, str],
) -> list[str]:
    """One line per check broken: the relation's masked columns it reads, each with
    its rule's file:line and strategy, then the constraint and its definition."""
    lines = []
    for brk in found:
        columns = ", ".join(
            f"{relation}.{c} ({origins.get(c) or 'rule'}: {strategies.get(c, '?')})"
            for c in brk.check.columns
        )
        lines.append(f"{columns}: {brk.what()}")
    return lines
