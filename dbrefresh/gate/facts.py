"""Catalog facts from staging that sharpen the static classification: NOT NULL columns,
column types, indexes, function volatility, domains with constraints. Each table is
read as the migration's session names it (under the search_path in effect there).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from pglast import parse_sql
from pglast.parser import ParseError

from dbrefresh.db import connection
from dbrefresh.errors import InfraError
from dbrefresh.gate.overloads import overload
from dbrefresh.gate.schema import Knowledge, not_null_check_column
from dbrefresh.gate.staging import guard, resolve, search_path
from dbrefresh.gate.txcontrol import body_commits

_COLUMNS = """
SELECT a.attname, a.attnotnull, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a WHERE a.attrelid = %s::oid AND a.attnum > 0 AND NOT a.attisdropped
"""
_INDEXES = """
SELECT ic.relname, array_agg(a.attname ORDER BY k.ord), i.indpred IS NOT NULL
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %s::oid GROUP BY ic.relname, i.indpred IS NOT NULL
"""
# indexes with an expression or a predicate, and every column they use: key columns
# (indkey), and those of the expressions and predicate (index_create records an AUTO
# dependency of the index on each of them)
_EXPRESSION_INDEXES = """
SELECT ic.relname, array_agg(DISTINCT a.attname)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum > 0 AND (
  a.attnum = ANY(i.indkey) OR EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
      AND d.objid = i.indexrelid AND d.refclassid = 'pg_class'::regclass
      AND d.refobjid = i.indrelid AND d.refobjsubid = a.attnum))
WHERE i.indrelid = %s::oid AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
GROUP BY ic.relname
"""
# domains with a constraint of their own or of a domain they are based on
_DOMAINS = """
WITH RECURSIVE constrained(oid) AS (
  SELECT t.oid FROM pg_type t WHERE t.typtype = 'd'
    AND (t.typnotnull OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contypid = t.oid))
  UNION SELECT t.oid FROM pg_type t JOIN constrained ON t.typbasetype = constrained.oid
  WHERE t.typtype = 'd'
)
SELECT n.nspname, t.typname FROM constrained
JOIN pg_type t ON t.oid = constrained.oid JOIN pg_namespace n ON n.oid = t.typnamespace
"""
# every domain: its base type, NOT NULL, DEFAULT (PostgreSQL copies a base domain's default
# into a derived one) and CHECK constraints, to tell which refuse NULL (bases included)
_DOMAIN_FACTS = """
SELECT t.oid::int8, t.typbasetype::int8, n.nspname, t.typname, t.typnotnull,
       t.typdefaultbin IS NOT NULL,
       coalesce(array_agg(pg_get_constraintdef(c.oid)) FILTER (WHERE c.contype = 'c'), '{}')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_constraint c ON c.contypid = t.oid
WHERE t.typtype = 'd' GROUP BY t.oid, n.nspname
"""
_CHECKS = """
SELECT pg_get_expr(conbin, conrelid) FROM pg_constraint
WHERE conrelid = %s::oid AND contype = 'c' AND convalidated
"""
# every overload of the names: volatility, argument counts, and whether it is built in
# (pg_catalog, or a member of an extension) rather than the application's own code
_FUNCTIONS = """
SELECT p.proname, n.nspname, p.provolatile::text, p.pronargs, p.pronargdefaults,
       p.provariadic <> 0,
       p.pronamespace = 'pg_catalog'::regnamespace OR EXISTS (
         SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
           AND d.objid = p.oid AND d.deptype = 'e')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.proname = ANY(%s)
"""

# procedures of the names called, with their bodies: one that COMMITs cannot run in a
# transaction block (txcontrol.py)
_PROCEDURES = """
SELECT n.nspname, p.proname, l.lanname, p.prosrc, p.prosqlbody IS NOT NULL
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.prokind = 'p' AND p.proname = ANY(%s)
"""


def _not_null_column(expr: str) -> str | None:
    """'(col IS NOT NULL)' as pg_get_expr prints a check -> 'col'."""
    try:
        stmt: Any = parse_sql(f"SELECT {expr}")[0].stmt
    except ParseError:
        return None
    return not_null_check_column(stmt.targetList[0].val)


def _domain_facts(conn: psycopg.Connection[Any], known: Knowledge) -> None:
    """Domains that refuse NULL (NOT NULL or CHECK (VALUE IS NOT NULL), theirs or a base
    domain's) and domains with a DEFAULT: ADD COLUMN of one without a DEFAULT fills the
    existing rows with NULL, or with the domain's default."""
    rows = conn.execute(_DOMAIN_FACTS).fetchall()
    base = {int(r[0]): int(r[1]) for r in rows}
    own = {
        int(oid): bool(notnull)
        or any(_not_null_column(str(d).removeprefix("CHECK ")) == "value" for d in checks)
        for oid, _, _, _, notnull, _, checks in rows
    }

    def refuses(oid: int) -> bool:
        seen: set[int] = set()
        while oid in own and oid not in seen:
            if own[oid]:
                return True
            seen.add(oid)
            oid = base[oid]
        return False

    for oid, _, schema, name, _, has_default, _ in rows:
        keys = (str(schema), str(name))
        if refuses(int(oid)):
            known.not_null_domains.update({".".join(keys).lower(), str(name).lower()})
        if has_default:
            known.defaulted_domains.update({".".join(keys).lower(), str(name).lower()})


def seed_knowledge(
    dsn: str, tables: Iterable[tuple[str, str | None]], functions: Iterable[str] = ()
) -> Knowledge:
    """Catalog facts for tables that exist on staging (NOT NULL, types, indexes), and of
    functions: volatility (the most volatile overload: 'v' > 's' > 'i') and whether
    they are built in, per schema holding one (a function staging lacks is the
    migration's own).

    `tables` are (name as written, search_path in effect); facts are keyed by the name
    as written, so a name met under several search_paths keeps the first table found.
    """
    known = Knowledge(catalog_read=True)
    try:
        with connection(dsn) as conn:
            guard(conn)
            for table, path in sorted(set(tables), key=lambda t: (t[0], t[1] or "")):
                if table in known.catalog_tables:
                    continue
                with search_path(conn, path):
                    oid = resolve(conn, table)
                if oid is None:
                    continue
                known.catalog_tables.add(table)
                kind = conn.execute("SELECT relkind::text FROM pg_class WHERE oid = %s", (oid,))
                if (kind.fetchone() or ("",))[0] == "p":
                    known.partitioned.add(table)
                for col, notnull, typ in conn.execute(_COLUMNS, (oid,)).fetchall():
                    (known.not_null if notnull else known.nullable).add((table, col))
                    known.column_types[(table, col)] = typ.replace("character varying", "varchar")
                for index, cols, partial in conn.execute(_INDEXES, (oid,)).fetchall():
                    known.indexes[index] = (table, tuple(cols), bool(partial))
                for index, cols in conn.execute(_EXPRESSION_INDEXES, (oid,)).fetchall():
                    known.expression_indexes[index] = (table, frozenset(cols))
                for (expr,) in conn.execute(_CHECKS, (oid,)).fetchall():
                    column = _not_null_column(str(expr))
                    if column:  # SET NOT NULL skips its scan (PostgreSQL 12+)
                        known.validated_not_null.add((table, column))
            for schema, domain in conn.execute(_DOMAINS).fetchall():
                known.add_constrained_domain((str(schema), str(domain)))
            _domain_facts(conn, known)
            known.role = str((conn.execute("SELECT current_user").fetchone() or ("",))[0])
            known.server_version = conn.info.server_version
            called = sorted(set(functions))
            for schema, name, language, body, atomic in conn.execute(_PROCEDURES, (called,)):
                commits = not atomic and body_commits(str(body or ""), str(language))
                known.procedures.setdefault(str(name).lower(), set()).add((str(schema), commits))
            rows = conn.execute(_FUNCTIONS, (called,)).fetchall()
            for name, schema, volatile, nargs, ndefaults, variadic, builtin in rows:
                key = str(name)
                known.volatility[key] = max(known.volatility.get(key, ""), str(volatile))
                found = overload(str(schema), nargs, ndefaults, bool(variadic), bool(builtin))
                known.functions.setdefault(key, []).append(found)
    except psycopg.Error as exc:
        raise InfraError(f"reading the staging catalog failed: {exc}") from exc
    return known
