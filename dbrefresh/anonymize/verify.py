"""Prove a masked clone clean: coverage, leaks, constraints, row counts.

Returns every finding rather than stopping at the first, so one run of `verify`
shows the whole picture; a failed verify stops a refresh before staging is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, ForeignKey, Table
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.plan import Plan, RelationStep
from dbrefresh.rules.relsteps import literal, quote_ident, quote_table, row_key_sql


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    leaks: dict[str, int] = field(default_factory=dict)  # 'schema.table.column' -> survivors
    sampled: dict[str, int] = field(default_factory=dict)  # originals sampled per column
    foreign_keys_checked: int = 0
    relations_checked: int = 0

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
    rel = quote_table(step.relation)
    row_key = row_key_sql(table, {m.column for m in step.masked}, alias="t")
    join = _row_join(table, row_key)
    for m in step.masked:
        if not m.leak_checked:
            continue
        name = f"{step.relation}.{m.column}"
        col = quote_ident(m.column)
        where = f"h.table_name = {literal(step.relation)} AND h.column_name = {literal(m.column)}"
        report.sampled[name] = _scalar(
            conn, f"SELECT count(*) FROM dbrefresh.leak_hashes h WHERE {where}"
        )
        if row_key:
            query = (
                f"SELECT count(*) FROM dbrefresh.leak_hashes h JOIN ONLY {rel} t "
                f"ON {join} "
                f"WHERE {where} AND h.row_key IS NOT NULL "
                f"AND dbrefresh.leak_hash(t.{col}::text) = h.hash"
            )
        else:
            query = (
                f"SELECT count(*) FROM ONLY {rel} t WHERE t.{col} IS NOT NULL AND "
                f"dbrefresh.leak_hash(t.{col}::text) IN "
                f"(SELECT h.hash FROM dbrefresh.leak_hashes h WHERE {where})"
            )
        survivors = _scalar(conn, query)
        report.leaks[name] = survivors
        if survivors:
            report.findings.append(
                Finding(
                    "leak",
                    f"{name}: {survivors} original value(s) survived masking",
                    location=Location(key=name),
                )
            )


def _check_rows(conn: psycopg.Connection[Any], step: RelationStep, report: VerifyReport) -> None:
    row = conn.execute(
        "SELECT rows_before, rows_after, deletes_rows FROM dbrefresh.masked_relations "
        "WHERE relation = %s",
        (step.relation,),
    ).fetchone()
    if row is None:
        report.findings.append(
            Finding(
                "not-masked",
                f"{step.relation}: has not been anonymized",
                location=Location(key=step.relation),
                hint="run `dbrefresh anonymize`",
            )
        )
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
    child, parent = quote_table(fk.table), quote_table(fk.ref_table)
    join = " AND ".join(
        f"p.{quote_ident(r)} = c.{quote_ident(col)}"
        for col, r in zip(fk.columns, fk.ref_columns, strict=True)
    )
    not_null = " AND ".join(f"c.{quote_ident(col)} IS NOT NULL" for col in fk.columns)
    orphans = _scalar(
        conn,
        f"SELECT count(*) FROM {child} c WHERE {not_null} AND NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE {join})",
    )
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


def verify_plan(conn: psycopg.Connection[Any], catalog: Catalog, plan: Plan) -> VerifyReport:
    """Run every check of a compiled plan against the (masked) database."""
    report = VerifyReport()
    installed = conn.execute("SELECT to_regclass('dbrefresh.masked_relations')").fetchone()
    for step in plan.steps:
        report.relations_checked += 1
        if not installed or installed[0] is None:
            report.findings.append(
                Finding(
                    "not-masked",
                    f"{step.relation}: has not been anonymized",
                    location=Location(key=step.relation),
                    hint="run `dbrefresh anonymize`",
                )
            )
            continue
        _check_rows(conn, step, report)
        _check_leaks(conn, catalog, step, report)
    for fk in catalog.foreign_keys:
        _check_fk(conn, fk, report)
    for table in plan.truncate:
        left = _scalar(conn, f"SELECT count(*) FROM ONLY {quote_table(table)}")
        if left:
            report.findings.append(
                Finding(
                    "not-truncated",
                    f"{table}: {left} rows remain but the rules truncate it",
                    location=Location(key=table),
                )
            )
    return report
