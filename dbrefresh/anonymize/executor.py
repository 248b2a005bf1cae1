"""Run a Plan on a clone: set-based SQL, one transaction per relation, relations in parallel.

Each relation's rewrite is atomic, and records itself in dbrefresh.masked_relations in
the same transaction, so a failure leaves no half-masked table and a re-run finishes
the job without masking anything twice (which would break joins on masked keys).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.anonymize.progress import TableProgress
from dbrefresh.anonymize.report import AnonymizeReport, TableResult
from dbrefresh.db import connect
from dbrefresh.errors import InfraError, UsageError
from dbrefresh.rules.plan import Plan, RelationStep

# Memory for one masking session: the masked copy lives in temp buffers, index builds
# and FK validation sort and hash. Throw-away servers have the memory to spare.
SESSION_SETTINGS = {
    "temp_buffers": "256MB",
    "work_mem": "128MB",
    "maintenance_work_mem": "512MB",
}


def prepare_session(conn: psycopg.Connection[Any], key: str, digest: str) -> None:
    """Session settings every masking connection needs (key via a bound parameter)."""
    conn.execute("SET session_replication_role = replica")
    for name, value in SESSION_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))
    conn.execute("SELECT set_config('dbrefresh.key', %s, false)", (key,))
    conn.execute("SELECT set_config('dbrefresh.rules_digest', %s, false)", (digest,))


@dataclass
class _Failure:
    relation: str
    error: str


def _already_done(dsn: str, plan: Plan) -> set[str]:
    with connect(dsn) as conn:
        rows = conn.execute(
            "SELECT relation, rules_digest FROM dbrefresh.masked_relations"
        ).fetchall()
    other = sorted(r for r, digest in rows if digest != plan.rules_digest)
    if other:
        raise UsageError(
            f"{', '.join(other)} already masked with other rules; start from a fresh clone"
        )
    return {r for r, _ in rows}


def _stages(step: RelationStep) -> list[tuple[str, list[str]]]:
    """The step's statements grouped under the names progress shows."""
    return [
        ("locking", [step.lock_own]),
        ("sampling originals", [*step.record_leaks, step.record_count]),
        ("masking", [step.copy_masked]),
        ("swapping in", [*([step.lock_related] if step.lock_related else []),
                         *step.drop_fks, *step.drop_indexes, step.truncate]),
    ]


def _run_step(dsn: str, key: str, plan: Plan, step: RelationStep,
              progress: TableProgress) -> TableResult:
    started = time.monotonic()
    with connect(dsn) as conn:
        prepare_session(conn, key, plan.rules_digest)
        with conn.transaction():
            for stage, statements in _stages(step):
                progress.stage(step.relation, stage)
                for statement in statements:
                    conn.execute(statement)
            progress.stage(step.relation, "refilling")
            rows_after = conn.execute(step.refill).rowcount
            progress.stage(step.relation, "indexes and keys")
            for statement in [*step.create_indexes, *step.add_fks]:
                conn.execute(statement)
            row = conn.execute(
                "UPDATE dbrefresh.masked_relations SET rows_after = %s WHERE relation = %s "
                "RETURNING rows_before",
                (rows_after, step.relation),
            ).fetchone()
    progress.done(step.relation)
    rows_before = int(row[0]) if row else rows_after
    return TableResult(step.relation, "rewrite", rows_before, rows_after,
                       time.monotonic() - started)


def execute_plan(
    dsn: str,
    plan: Plan,
    key: str,
    *,
    workers: int | None = None,
    show_progress: bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> AnonymizeReport:
    """Execute every step of the plan; raise InfraError naming the relations that failed."""
    started = clock()
    report = AnonymizeReport(database=plan.database)
    done = _already_done(dsn, plan)
    if plan.truncate_sql:
        with connect(dsn) as conn:
            prepare_session(conn, key, plan.rules_digest)
            with conn.transaction():
                conn.execute(plan.truncate_sql)
        report.tables += [TableResult(t, "truncate", -1, 0, 0.0) for t in plan.truncate]
    pending = [s for s in plan.steps if s.relation not in done]
    failures: list[_Failure] = []
    retry: list[RelationStep] = []
    with TableProgress(len(pending), enabled=show_progress) as progress:
        pool_size = max(1, min(workers or os.cpu_count() or 1, len(pending) or 1))
        with ThreadPoolExecutor(max_workers=pool_size) as pool:
            futures = {pool.submit(_run_step, dsn, key, plan, s, progress): s for s in pending}
            for future, step in futures.items():
                try:
                    report.tables.append(future.result())
                except psycopg.errors.DeadlockDetected:
                    retry.append(step)  # tables with FKs both ways: run alone below
                except psycopg.Error as exc:
                    failures.append(_Failure(step.relation, str(exc).strip().splitlines()[0]))
        for step in retry:
            try:
                report.tables.append(_run_step(dsn, key, plan, step, progress))
            except psycopg.Error as exc:
                failures.append(_Failure(step.relation, str(exc).strip().splitlines()[0]))
    report.tables += [TableResult(t, "keep", -1, -1, 0.0) for t in plan.kept]
    report.seconds = clock() - started
    if failures:
        details = "; ".join(f"{f.relation}: {f.error}" for f in failures)
        raise InfraError(
            f"masking failed for {len(failures)} relation(s), each rolled back "
            f"(re-run to finish): {details}"
        )
    return report
