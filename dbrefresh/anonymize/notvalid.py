"""NOT VALID CHECK constraints: rows production legitimately holds against them.

`ADD CONSTRAINT ... CHECK (...) NOT VALID` (and its ALTER DOMAIN twin) promises nothing
about the rows already there: that is what it is for. But the swap refills a table by
INSERT, which checks every CHECK constraint, valid or not, even as a replica; so a
legacy row breaking one failed the whole refresh, and no rule could change that.

So a constraint some original row breaks is set aside for the refill and put back
exactly as it was (name, definition, NOT VALID, comment) in the same swap transaction,
so a failure loses nothing. One no original breaks stays in place and checks every
masked row. The preflight holds masked values to NOT VALID constraints row by row:
a row whose original kept one must keep it once masked, a row that broke it is exempt
(anonymize/preflight.py, docs/anonymize.md "NOT VALID constraints").

Covered: a table's own constraints (not inherited, on a table without inheritance
children) and those of the domains its columns use, directly, through other domains
or as array elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.rules.relsteps import literal, quote_ident, quote_table

# Domains reachable from each column: through the domain's base type, and once through
# an array's element type (VALUE is then each element). A domain's constraints are
# written over VALUE: a SQL function with a parameter named value evaluates them.
_READ = """
WITH RECURSIVE rels AS (
    SELECT name, to_regclass(name) AS oid FROM unnest(%(relations)s::text[]) AS name
), reach AS (
    SELECT r.name, a.attname, a.atttypid AS typid, false AS elem
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid
     WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION
    SELECT reach.name, reach.attname,
           CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END,
           reach.elem OR t.typtype <> 'd'
      FROM reach JOIN pg_type t ON t.oid = reach.typid
     WHERE t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0 AND NOT reach.elem)
), base AS (
    SELECT oid AS domain, typbasetype AS typid FROM pg_type WHERE typtype = 'd'
    UNION
    SELECT base.domain, t.typbasetype FROM base JOIN pg_type t ON t.oid = base.typid
     WHERE t.typtype = 'd'
)
SELECT r.name, c.oid::bigint, c.conname, NULL, pg_get_constraintdef(c.oid),
       obj_description(c.oid, 'pg_constraint'), pg_get_expr(c.conbin, c.conrelid), NULL, NULL
  FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
 WHERE c.contype = 'c' AND NOT c.convalidated AND c.conislocal AND c.coninhcount = 0
   AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = r.oid)
UNION ALL
SELECT d.name, c.oid::bigint, c.conname, format('%%I.%%I', n.nspname, t.typname),
       pg_get_constraintdef(c.oid), obj_description(c.oid, 'pg_constraint'),
       pg_get_expr(c.conbin, 0),
       (SELECT format_type(b.typid, NULL) FROM base b JOIN pg_type bt ON bt.oid = b.typid
         WHERE b.domain = t.oid AND bt.typtype <> 'd'),
       d.columns
  FROM (SELECT name, typid, json_agg(json_build_array(attname, elem) ORDER BY attname)
               AS columns
          FROM reach GROUP BY name, typid) AS d
  JOIN pg_type t ON t.oid = d.typid AND t.typtype = 'd'
  JOIN pg_namespace n ON n.oid = t.typnamespace
  JOIN pg_constraint c ON c.contypid = t.oid AND c.contype = 'c' AND NOT c.convalidated
 ORDER BY 1, 2
"""


@dataclass(frozen=True)
class NotValid:
    """One NOT VALID CHECK constraint as it bears on one relation's rows."""

    relation: str  # the relation whose rows it checks ('schema.name')
    oid: int
    name: str
    domain: str | None  # the domain it belongs to (quoted), or None: the table's own
    definition: str  # pg_get_constraintdef: 'CHECK (...) NOT VALID'
    comment: str | None
    # SQL over the row's columns, named bare: true where the row breaks the constraint
    # (evaluates against the original row in a scan of the table, and against the
    # masked row in a copy of it)
    broken: str
    setup: tuple[str, ...] = ()  # what `broken` needs first (a domain's check function)

    def drop(self) -> str:
        kind = "DOMAIN" if self.domain else "TABLE ONLY"
        owner = self.domain or quote_table(self.relation)
        return f"ALTER {kind} {owner} DROP CONSTRAINT {quote_ident(self.name)}"

    def restore(self) -> list[str]:
        """Back as it was: same name and definition (still NOT VALID), same comment."""
        kind = "DOMAIN" if self.domain else "TABLE ONLY"
        owner = self.domain or quote_table(self.relation)
        name = quote_ident(self.name)
        out = [f"ALTER {kind} {owner} ADD CONSTRAINT {name} {self.definition}"]
        if self.comment is not None:
            on = f"DOMAIN {self.domain}" if self.domain else quote_table(self.relation)
            out.append(f"COMMENT ON CONSTRAINT {name} ON {on} IS {literal(self.comment)}")
        return out


def _fits_function(oid: int, base: str, expression: str) -> tuple[str, str]:
    """A function evaluating a domain's check on a value of its base type (VALUE in the
    expression resolves to the parameter), and its name. Temporary: nothing is left."""
    name = f'pg_temp."_dbr_fits_{oid}"'
    return name, (
        f"CREATE OR REPLACE FUNCTION {name}(value {base}) RETURNS boolean "
        f"LANGUAGE sql AS $_dbr_$ SELECT {expression} $_dbr_$"
    )


def read(conn: psycopg.Connection[Any], relations: list[str]) -> list[NotValid]:
    """The NOT VALID CHECK constraints bearing on each relation's rows."""
    out: list[NotValid] = []
    rows = conn.execute(_READ, {"relations": [quote_table(r) for r in relations]}).fetchall()
    by_quoted = {quote_table(r): r for r in relations}
    for quoted, oid, name, domain, definition, comment, expression, base, columns in rows:
        relation = by_quoted[quoted]
        if domain is None:
            out.append(
                NotValid(relation, oid, name, None, definition, comment, f"({expression}) IS FALSE")
            )
            continue
        fits, create = _fits_function(oid, base, expression)
        parts = [
            f"EXISTS (SELECT FROM unnest({quote_ident(c)}) AS _dbr_e(v) WHERE {fits}(_dbr_e.v) "
            "IS FALSE)"
            if elem
            else f"{fits}({quote_ident(c)}) IS FALSE"
            for c, elem in columns
        ]
        broken = "(" + " OR ".join(parts) + ")"
        out.append(NotValid(relation, oid, name, domain, definition, comment, broken, (create,)))
    return out


def prepare(conn: psycopg.Connection[Any], constraints: list[NotValid]) -> None:
    for statement in dict.fromkeys(s for c in constraints for s in c.setup):
        conn.execute(statement)


def broken_by_originals(conn: psycopg.Connection[Any], relations: list[str]) -> list[NotValid]:
    """The constraints some original row of these relations breaks (the swap, under its
    lock, before the truncate): the refill must not check them. The scan stops at the
    first such row; a constraint no row breaks stays in place through the refill."""
    constraints = read(conn, relations)
    prepare(conn, constraints)
    broken = [
        c
        for c in constraints
        if conn.execute(
            f"SELECT EXISTS (SELECT FROM ONLY {quote_table(c.relation)} WHERE {c.broken})"
        ).fetchone()
        == (True,)
    ]
    # one entry per constraint: a domain's may bear on several relations of the group
    return list({c.oid: c for c in broken}.values())


def set_aside(conn: psycopg.Connection[Any], constraints: list[NotValid]) -> None:
    """Drop them for the refill, in the swap transaction (restore() puts them back).

    A domain is shared: two groups' swaps setting one of its constraints aside would
    race for it (the second drop finds the row the first deleted), so each waits for
    the domain's transaction lock first, domains in OID order: no deadlock. Taken after
    the group's other locks, so always in the same order."""
    for c in sorted(constraints, key=lambda c: c.oid):
        if c.domain:
            conn.execute(
                "SELECT pg_advisory_xact_lock("
                "'pg_type'::regclass::oid::int, %s::regtype::oid::int)",
                (c.domain,),
            )
    for c in constraints:
        conn.execute(c.drop())


def put_back(conn: psycopg.Connection[Any], constraints: list[NotValid]) -> None:
    for c in constraints:
        for statement in c.restore():
            conn.execute(statement)


@dataclass(frozen=True)
class SampleCheck:
    """The preflight's hold of masked values to a relation's NOT VALID constraints, row
    by row: each sample row the rules' preflight masks is masked once more, beside
    whether its original kept each constraint, into a copy without constraints; a row
    whose original kept one and whose masked values break it is the rules' doing."""

    constraints: list[NotValid]
    sample_insert: str  # how the rules' INSERT of the masked sample starts
    twin: str  # the copy: the table's columns and one "_dbr_kept_<n>" per constraint
    columns: str

    @classmethod
    def prepare(
        cls, conn: psycopg.Connection[Any], relation: str, constraints: list[NotValid]
    ) -> SampleCheck:
        """Set the constraints aside (the caller rolls back) and create the copy."""
        rel = quote_table(relation)
        row = conn.execute(
            "SELECT %s::regclass::oid::bigint, array_agg(attname::text ORDER BY attnum) "
            "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attgenerated = ''",
            (rel, rel),
        ).fetchone()
        assert row is not None
        oid, names = row
        columns = ", ".join(quote_ident(n) for n in names)
        twin = quote_ident(f"_dbr_legacy_{oid}")
        prepare(conn, constraints)
        set_aside(conn, constraints)
        conn.execute(f"CREATE TEMP TABLE {twin} (LIKE {rel} INCLUDING GENERATED) ON COMMIT DROP")
        kept = ", ".join(f"ADD COLUMN {_kept(i)} boolean" for i in range(len(constraints)))
        conn.execute(f"ALTER TABLE {twin} {kept}")
        check = quote_ident(f"_dbr_check_{oid}")
        return cls(constraints, f"INSERT INTO {check} ({columns}) SELECT ", twin, columns)

    def also(self, conn: psycopg.Connection[Any], statement: str) -> None:
        """After a statement of the rules' preflight: if it inserted masked sample rows,
        the same rows into the copy, with their originals' standing."""
        if not statement.startswith(self.sample_insert.split(" (", 1)[0] + " "):
            return
        if not statement.startswith(self.sample_insert):  # a change in relsteps' SQL
            raise RuntimeError(f"unexpected preflight statement: {statement[:200]}")
        kept = ", ".join(_kept(i) for i in range(len(self.constraints)))
        standing = ", ".join(f"NOT {c.broken}" for c in self.constraints)
        rest = statement[len(self.sample_insert) :]
        conn.execute(f"INSERT INTO {self.twin} ({kept}, {self.columns}) SELECT {standing}, {rest}")

    def refuse_new_breaks(self, conn: psycopg.Connection[Any]) -> None:
        """CheckViolation naming each constraint masked values broke where the original
        kept it (a NOT VALID constraint exempts only rows that broke it before)."""
        counts = ", ".join(
            f"count(*) FILTER (WHERE {_kept(i)} AND {c.broken})"
            for i, c in enumerate(self.constraints)
        )
        row = conn.execute(f"SELECT {counts} FROM {self.twin}").fetchone() or ()
        broken = [
            f'{n} sampled row(s) break NOT VALID constraint "{c.name}"'
            + (f" of domain {c.domain}" if c.domain else "")
            + f" ({c.definition}) once masked, which their original values kept"
            for c, n in zip(self.constraints, row, strict=True)
            if n
        ]
        if broken:
            raise psycopg.errors.CheckViolation("; ".join(broken))


def _kept(index: int) -> str:
    return quote_ident(f"_dbr_kept_{index}")
