"""Prove a masked clone clean: coverage, leaks, constraints, row counts.

Returns every finding rather than stopping at the first, so one run of `verify`
shows the whole picture; a failed verify stops a refresh before staging is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from dbrefresh.anonymize.told import OnCheck, Told
from dbrefresh.anonymize.truncated import check_truncated
from dbrefresh.anonymize.unsampled import unsampled_warnings
from dbrefresh.anonymize.verify_case import case_survivors
from dbrefresh.anonymize.verify_kept import kept_copies
from dbrefresh.anonymize.verify_paths import leak_message, path_leaks
from dbrefresh.catalog import Catalog, ForeignKey, Table
from dbrefresh.errors import UsageError
from dbrefresh.findings import Finding, Location, rule_location
from dbrefresh.rules.fkrisk import fks_masking_can_break, orphans_sql
from dbrefresh.rules.plan import Plan, RelationStep, ViewRefresh
from dbrefresh.rules.relsteps import literal, masked_keys, quote_ident, quote_table, row_key
from dbrefresh.spread import spread


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    leaks: dict[str, int] = field(default_factory=dict)  # 'schema.table.column' -> survivors
    sampled: dict[str, int] = field(default_factory=dict)  # originals sampled per column
    warnings: list[Finding] = field(default_factory=list)  # what passes, yet proves nothing
    foreign_keys_checked: int = 0
    relations_checked: int = 0
    foreign_keys_total: int = 0  # in the database; verify_summary.py says why not all
    leaks_unchecked: str | None = None  # why not (a refreshed copy: verify_refreshed.py)
    kept_reviewed: int = 0  # kept columns verify_drift.py passed over: `reviewed` in the rules

    @property
    def total_leaks(self) -> int:
        return sum(self.leaks.values())


def _scalar(conn: psycopg.Connection[Any], query: str, params: Any = None) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _row_join(table: Table, row_key: str | None) -> str:
    """Join leak samples to their rows; a one-column key is cast so its index serves."""
    primary = next((k for k in table.unique_keys if k.primary), None)
    if row_key and primary and len(primary.columns) == 1:
        column = primary.columns[0]
        return f"t.{quote_ident(column)} = h.row_key::{table.columns[column].type.sql}"
    return f"h.row_key = {row_key}"


def _check_leaks(
    conn: psycopg.Connection[Any], catalog: Catalog, step: RelationStep, report: VerifyReport
) -> None:
    table = catalog.tables[step.relation]
    checked = [m.column for m in step.masked if m.leak_checked]
    if not checked:
        return
    origins = {m.column: m.origin for m in step.masked}
    holds = {m.column: m.holds_when for m in step.masked}
    by_value = masked_keys(step.masked, None)
    key = row_key(table, {m.column for m in step.masked}, alias="t", by_value=by_value)
    if key is None:
        counts = {c: _leaks_by_value(conn, step.relation, c) for c in checked}
    elif key.unique:
        counts = _leaks_by_row(conn, step.relation, checked, _row_join(table, key.sql))
    else:
        counts = _leaks_by_kept_columns(conn, step.relation, checked, key.sql)
    found: list[tuple[str, str | None, int, int]]
    found = [(c, None, *counts.get(c, (0, 0))) for c in checked]
    found += path_leaks(conn, step, key, _row_join(table, key.sql if key else None))
    # only an expression a user wrote keeps an original in another case (upper(name)): a
    # dictionary may draw 'Berlin' for a city stored as 'BERLIN' by chance
    written = [m.column for m in step.masked if m.leak_checked and m.strategy == "sql"]
    join = _row_join(table, key.sql) if key else ""
    cased = case_survivors(conn, step.relation, written, key, join) if key and written else {}
    for column, path, sampled, survivors in found:
        name = f"{step.relation}.{column}"
        label = f"{name}:{path}" if path else name  # a jsonb rule's path, checked alone
        report.sampled[label] = sampled
        report.leaks[label] = survivors
        if survivors:
            report.findings.append(
                Finding(
                    "leak",
                    leak_message(name, path, survivors),
                    location=rule_location(origins.get(column), name),
                )
            )
        if not path and cased.get(column):
            report.leaks[label] += cased[column]
            report.findings.append(
                Finding(
                    "leak",
                    f"{name}: {cased[column]} original value(s) survive in another case "
                    "(the masked value equals the original ignoring case: upper()/lower() of it)",
                    location=rule_location(origins.get(column), name),
                )
            )
    unsampled = [c for c in checked if not counts.get(c, (0, 0))[0]]
    report.warnings += (
        unsampled_warnings(conn, step.relation, unsampled, origins, holds) if unsampled else []
    )


def _leaks_by_row(
    conn: psycopg.Connection[Any], relation: str, columns: list[str], join: str
) -> dict[str, tuple[int, int]]:
    """(sampled, survivors) per column in ONE pass: each sample joined to its row by key,
    its hash compared with the current value of its own column."""
    current = " ".join(
        f"WHEN {literal(c)} THEN dbrefresh.leak_hash(t.{quote_ident(c)}::text)" for c in columns
    )
    names = ", ".join(literal(c) for c in columns)
    rows = conn.execute(
        f"SELECT h.column_name, count(*), count(*) FILTER (WHERE h.row_key IS NOT NULL "
        f"AND CASE h.column_name {current} END = h.hash) "
        f"FROM dbrefresh.leak_hashes h LEFT JOIN ONLY {quote_table(relation)} t ON {join} "
        f"WHERE h.table_name = {literal(relation)} AND h.column_name IN ({names}) "
        f"GROUP BY h.column_name"
    ).fetchall()
    return {str(column): (int(sampled), int(survivors)) for column, sampled, survivors in rows}


def _leaks_by_kept_columns(
    conn: psycopg.Connection[Any], relation: str, columns: list[str], key: str
) -> dict[str, tuple[int, int]]:
    """(sampled, survivors) per column of a table without a primary key: a sample
    survived if a row with the same kept columns still holds it.

    Kept columns may repeat a lot (a status, a date), so one sample can share its key
    with much of the table: rows whose key some sample has are hashed once per checked
    column, and samples are matched on (key, column, hash) equality, never by a filter
    over every pair. At most one keyed hash per row and column, like the by-value check.
    """
    names = ", ".join(literal(c) for c in columns)
    where = f"h.table_name = {literal(relation)} AND h.column_name IN ({names})"
    current = ", ".join(
        f"({literal(c)}, dbrefresh.leak_hash(t.{quote_ident(c)}::text))" for c in columns
    )
    sampled = conn.execute(
        f"SELECT h.column_name, count(*) FROM dbrefresh.leak_hashes h WHERE {where} GROUP BY 1"
    ).fetchall()
    survived = conn.execute(
        f"WITH present AS MATERIALIZED (SELECT k.row_key, c.column_name, c.hash "
        f"FROM ONLY {quote_table(relation)} t, LATERAL (SELECT {key} AS row_key) k, "
        f"LATERAL (VALUES {current}) AS c(column_name, hash) "
        f"WHERE k.row_key IN (SELECT h.row_key FROM dbrefresh.leak_hashes h WHERE {where})) "
        f"SELECT h.column_name, count(*) FROM dbrefresh.leak_hashes h WHERE {where} AND EXISTS "
        "(SELECT 1 FROM present n WHERE n.row_key = h.row_key AND n.column_name = h.column_name "
        "AND n.hash = h.hash) GROUP BY 1"
    ).fetchall()
    survivors = {str(c): int(n) for c, n in survived}
    return {str(c): (int(n), survivors.get(str(c), 0)) for c, n in sampled}


def _leaks_by_value(conn: psycopg.Connection[Any], relation: str, column: str) -> tuple[int, int]:
    """(sampled, survivors) of a table whose every column is masked: any row holding any
    sample (a value landing on another row's original counts too)."""
    where = f"h.table_name = {literal(relation)} AND h.column_name = {literal(column)}"
    sampled = _scalar(conn, f"SELECT count(*) FROM dbrefresh.leak_hashes h WHERE {where}")
    col = quote_ident(column)
    survivors = _scalar(
        conn,
        f"SELECT count(*) FROM ONLY {quote_table(relation)} t WHERE t.{col} IS NOT NULL AND "
        f"dbrefresh.leak_hash(t.{col}::text) IN "
        f"(SELECT h.hash FROM dbrefresh.leak_hashes h WHERE {where})",
    )
    return sampled, survivors


def _stats_values(
    conn: psycopg.Connection[Any], catalog: Catalog, steps: Sequence[RelationStep]
) -> dict[str, list[tuple[str, list[str]]]]:
    """Per relation and column, the values in its planner statistics (most common values,
    histogram bounds) that match a sampled original of that column.

    One pass over pg_stats for every relation: pg_stats has names, not OIDs, and a
    lookup per table by name reads every table of that name (schema-per-tenant
    databases have hundreds), which made this check quadratic.
    """
    wanted: list[tuple[str, str, str, str]] = []
    for step in steps:
        table = catalog.tables[step.relation]
        # An array column's statistics list arrays, which need not parse as one text[].
        wanted += [
            (table.schema, table.name, m.column, step.relation)
            for m in step.masked
            if m.leak_checked and not table.columns[m.column].type.is_array
        ]
    if not wanted:
        return {}
    schemas, names, columns, relations = (list(c) for c in zip(*wanted, strict=True))
    # Each CTE is computed once: left to itself the planner digested every statistics
    # value once per sampled original (2,000 tables: 3M digests, 2.7 s).
    rows = conn.execute(
        "WITH stats AS MATERIALIZED (SELECT schemaname, tablename, attname, most_common_vals,"
        " histogram_bounds FROM pg_stats WHERE NOT inherited),"
        " wanted AS MATERIALIZED (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[],"
        " %s::text[]) AS w(schema_name, table_name, column_name, relation)),"
        " vals AS MATERIALIZED (SELECT w.relation, w.column_name, v.value,"
        " dbrefresh.leak_hash(v.value) AS hash FROM stats s JOIN wanted w"
        " ON s.schemaname = w.schema_name AND s.tablename = w.table_name"
        " AND s.attname = w.column_name CROSS JOIN LATERAL unnest("
        "coalesce(s.most_common_vals::text::text[], '{}') || "
        "coalesce(s.histogram_bounds::text::text[], '{}')) AS v(value)) "
        "SELECT x.relation, x.column_name, array_agg(DISTINCT x.value) FROM vals x "
        "WHERE EXISTS (SELECT 1 FROM dbrefresh.leak_hashes h WHERE h.table_name = x.relation "
        "AND h.column_name = x.column_name AND h.hash = x.hash) GROUP BY 1, 2 ORDER BY 1, 2",
        (schemas, names, columns, relations),
    ).fetchall()
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for relation, column, values in rows:
        found.setdefault(relation, []).append((column, values))
    return found


def _check_statistics(
    conn: psycopg.Connection[Any],
    step: RelationStep,
    in_stats: list[tuple[str, list[str]]],
    report: VerifyReport,
) -> None:
    """Planner statistics hold real values: an original found there that the column
    no longer holds describes production's rows, so it survived masking. (One the
    column still holds is a masked value that happens to equal another row's original,
    a postcode or a shifted date, say: fresh statistics only list values present.)"""
    for column, values in in_stats:
        col = quote_ident(column)
        absent = _scalar(
            conn,
            "SELECT count(*) FROM unnest(%(values)s::text[]) AS x(value) WHERE x.value NOT IN "
            f"(SELECT t.{col}::text FROM ONLY {quote_table(step.relation)} t "
            f"WHERE t.{col}::text = ANY(%(values)s))",
            {"values": values},
        )
        if absent:
            name = f"{step.relation}.{column}"
            report.findings.append(
                Finding(
                    "statistics-leak",
                    f"{name}: {absent} original value(s) in the planner statistics (pg_stats)",
                    location=Location(key=name),
                    hint="run `dbrefresh anonymize` again (it renews the statistics)",
                )
            )


def _not_masked(relation: str) -> Finding:
    return Finding(
        "not-masked",
        f"{relation}: has not been anonymized",
        location=Location(key=relation),
        hint="run `dbrefresh anonymize`",
    )


def _check_rows(conn: psycopg.Connection[Any], step: RelationStep, report: VerifyReport) -> None:
    row = conn.execute(
        "SELECT rows_before, rows_after, deletes_rows FROM dbrefresh.masked_relations "
        "WHERE relation = %s",
        (step.relation,),
    ).fetchone()
    if row is None:
        report.findings.append(_not_masked(step.relation))
        return
    before, _after, deletes = row
    now = _scalar(conn, f"SELECT count(*) FROM ONLY {quote_table(step.relation)}")
    if (deletes and now > before) or (not deletes and now != before):
        report.findings.append(
            Finding(
                "row-count",
                f"{step.relation}: {now} rows, {before} before masking",
                location=Location(key=step.relation),
            )
        )


def _check_fk(conn: psycopg.Connection[Any], fk: ForeignKey, report: VerifyReport) -> None:
    orphans = _scalar(conn, orphans_sql(fk))
    report.foreign_keys_checked += 1
    if orphans:
        report.findings.append(
            Finding(
                "fk-broken",
                f"foreign key {fk.name}: {orphans} row(s) of {fk.table} reference "
                f"no row of {fk.ref_table}",
                location=Location(key=fk.table),
            )
        )


Check = Callable[[psycopg.Connection[Any], VerifyReport], None]


def _require_every_row(conn: psycopg.Connection[Any], relations: set[str]) -> None:
    """Refuse a role that row-level security would show part of a table: its row
    counts and leak checks would judge rows it never saw, and pass a table it could
    not read. (The sessions also run with row_security off, which errors instead.)"""
    hidden = [
        row[0]
        for row in conn.execute(
            "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid IN (SELECT to_regclass(name) FROM unnest(%s::text[]) AS name) "
            "AND c.relrowsecurity "
            "AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) "
            "AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE')) ORDER BY 1",
            (sorted(quote_table(r) for r in relations),),
        )
    ]
    if hidden:
        role = conn.info.user
        raise UsageError(
            f"verify must read every row, but row-level security filters {', '.join(hidden)} "
            f"for role '{role}'; run it as the tables' owner (without FORCE ROW LEVEL "
            f"SECURITY) or as a role with BYPASSRLS"
        )


def _checks(
    conn: psycopg.Connection[Any], catalog: Catalog, plan: Plan, leaks: bool = True
) -> list[tuple[str, Check]]:
    """Every check of the plan with what it looks at, biggest tables first (so the pool
    finishes together); without leaks, no check compares keyed hashes of originals."""
    installed = conn.execute(
        "SELECT to_regclass('dbrefresh.masked_relations') IS NOT NULL, "
        "to_regclass('dbrefresh.refreshed_views') IS NOT NULL"
    ).fetchone()
    masked, tracked = (bool(installed[0]), bool(installed[1])) if installed else (False, False)
    fks = fks_masking_can_break(catalog, plan.steps, plan.truncate)
    _require_every_row(
        conn,
        {s.relation for s in plan.steps}
        | {t for fk in fks for t in (fk.table, fk.ref_table)}
        | set(plan.truncate),
    )
    in_stats = _stats_values(conn, catalog, plan.steps) if masked else {}
    masked_in: dict[str, set[str]] = {}
    for s in plan.steps:
        for name in (s.relation, s.rule_table):
            masked_in.setdefault(name, set()).update(m.column for m in s.masked)
    checks: list[tuple[int, str, Check]] = []
    for step in plan.steps:
        size = step.estimated_rows

        def check_step(c: psycopg.Connection[Any], r: VerifyReport, s: RelationStep = step) -> None:
            r.relations_checked += 1
            if not masked:
                r.findings.append(_not_masked(s.relation))
                return
            _check_rows(c, s, r)
            if leaks:
                _check_leaks(c, catalog, s, r)
                _check_statistics(c, s, in_stats.get(s.relation, []), r)
            r.findings += kept_copies(c, catalog, s, masked_in, set(plan.truncate))

        checks.append((size, step.relation, check_step))
    for fk in fks:

        def check_fk(c: psycopg.Connection[Any], r: VerifyReport, f: ForeignKey = fk) -> None:
            _check_fk(c, f, r)

        checks.append((catalog.tables[fk.table].estimated_rows, f"foreign key {fk.name}", check_fk))
    for view in plan.refresh_views:

        def check_view(c: psycopg.Connection[Any], r: VerifyReport, v: ViewRefresh = view) -> None:
            if masked:  # (else every relation is reported as not masked)
                _check_view(c, v, plan.rules_digest, r, tracked)

        checks.append((0, view.relation, check_view))
    if plan.empty_large_objects:
        checks.append((0, "large objects", _check_large_objects))
    for table in plan.truncate:

        def check_empty(c: psycopg.Connection[Any], r: VerifyReport, t: str = table) -> None:
            r.findings += check_truncated(c, t)

        checks.append((0, table, check_empty))
    return [(label, check) for _, label, check in sorted(checks, key=lambda item: -item[0])]


def _check_view(
    conn: psycopg.Connection[Any],
    view: ViewRefresh,
    digest: str,
    report: VerifyReport,
    tracked: bool,
) -> None:
    """A populated materialized view over masked data must have been refreshed since
    (`tracked`: dbrefresh.refreshed_views exists; a version without it refreshed none)."""
    refreshed = (
        "AND NOT EXISTS (SELECT 1 FROM dbrefresh.refreshed_views v WHERE v.relation = "
        "%(name)s AND v.populated AND v.rules_digest = %(digest)s AND v.refreshed_at >= "
        "(SELECT coalesce(max(masked_at), '-infinity') FROM dbrefresh.masked_relations))"
    )
    stale = _scalar(
        conn,
        "SELECT count(*) FROM pg_class c WHERE c.oid = to_regclass(%(view)s) "
        f"AND c.relispopulated {refreshed if tracked else ''}",
        {"view": quote_table(view.relation), "name": view.relation, "digest": digest},
    )
    if stale:
        report.findings.append(
            Finding(
                "stale-view",
                f"{view.relation}: materialized view not refreshed since masking; it may "
                "hold original values",
                location=Location(key=view.relation),
                hint="run `dbrefresh anonymize` again (it refreshes it)",
            )
        )


def _check_large_objects(conn: psycopg.Connection[Any], report: VerifyReport) -> None:
    left = _scalar(conn, "SELECT count(*) FROM pg_largeobject_metadata")
    if left:
        report.findings.append(
            Finding(
                "large-objects",
                f"{left} large object(s) remain but the rules empty them",
                location=Location(key="large_objects"),
                hint="run `dbrefresh anonymize` again",
            )
        )


def _merge(into: VerifyReport, part: VerifyReport) -> None:
    into.findings += part.findings
    into.warnings += part.warnings
    into.leaks.update(part.leaks)
    into.sampled.update(part.sampled)
    into.foreign_keys_checked += part.foreign_keys_checked
    into.relations_checked += part.relations_checked


def verify_plan(
    open_session: Callable[[], psycopg.Connection[Any]],
    catalog: Catalog,
    plan: Plan,
    *,
    workers: int = 1,
    on_check: OnCheck | None = None,
    leaks: bool = True,
) -> VerifyReport:
    """Run every check of a compiled plan against the (masked) database, in parallel.

    Each check fills its own part of the report on the next free of `workers` sessions
    (biggest tables first); the parts are merged and the findings sorted, so the report
    does not depend on which session ran what. `on_check(what, done, total)` hears of
    each check as it starts and ends (a progress display; called from the workers).
    """
    with open_session() as conn:
        checks = _checks(conn, catalog, plan, leaks)
    told = Told(on_check, len(checks))

    def run(label: str, check: Check) -> Callable[[psycopg.Connection[Any]], VerifyReport]:
        def task(conn: psycopg.Connection[Any]) -> VerifyReport:
            part = VerifyReport()
            check(conn, part)
            return part

        return told.task(label, task)

    report = VerifyReport()
    for part in spread(open_session, [run(label, c) for label, c in checks], workers):
        _merge(report, part)
    # Known from the compile alone: rows no masking reached, read from another server.
    report.findings += [
        Finding(
            "foreign-partition",
            f"{p}: a foreign partition of a masked table; its rows were not masked",
            location=Location(key=p.split(" ")[0]),
            hint="drop the server (isolate.drop_foreign_servers)",
        )
        for p in plan.foreign_partitions
    ]
    report.findings.sort(key=lambda f: (f.code, f.location.key or "", f.message))
    report.warnings.sort(key=lambda f: (f.code, f.location.key or "", f.message))
    return report
