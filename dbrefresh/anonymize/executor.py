"""Run a Plan on a clone: set-based SQL, one swap transaction per group, all cores busy.

Relations tied by foreign keys form a group (dbrefresh.rules.groups) and swap in one
transaction that records each of them in dbrefresh.masked_relations, so a failure
leaves no half-masked table and no key half-swapped, and a re-run finishes the job
without masking anything twice (which would break joins on masked keys).

Work runs as a dependency graph on a pool sized to the CPUs (anonymize.schedule): the
page-range chunks of large relations' masked copies and their leak-check samples, then
each group's swap as soon as its own chunks are done. Materialized views that may hold
data from before masking are refreshed last (dbrefresh.rules.views).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from dbrefresh.anonymize import notvalid
from dbrefresh.anonymize.failures import At, Command, Failure, failure_error, raised_at
from dbrefresh.anonymize.preflight import preflight, swap_check_hint
from dbrefresh.anonymize.progress import TableProgress
from dbrefresh.anonymize.refusal import orphan_hint, raised_by, refused_by_table
from dbrefresh.anonymize.report import AnonymizeReport, TableResult
from dbrefresh.anonymize.schedule import Job, Skipped, run_jobs
from dbrefresh.anonymize.session import prepare_session
from dbrefresh.anonymize.statistics import replace_statistics
from dbrefresh.db import LiveSessions, connect
from dbrefresh.errors import UsageError, first_line
from dbrefresh.rules.plan import (
    EMPTY_LARGE_OBJECTS,
    Chunking,
    Plan,
    RelationStep,
    SwapGroup,
    ViewRefresh,
)
from dbrefresh.rules.relsteps import quote_table

CHUNKS_PER_WORKER = 2  # more chunks than workers, so a slow chunk does not idle a core
IDLE_STATUS = TransactionStatus.IDLE


@dataclass
class _Run:
    """What one execution shares between its worker threads."""

    dsn: str
    key: str
    plan: Plan
    progress: TableProgress
    failures: list[Failure] = field(default_factory=list)  # each error once (failures.py)
    failed: set[str] = field(default_factory=set)  # the relations they left unmasked
    live: LiveSessions = field(default_factory=LiveSessions)
    idle: list[psycopg.Connection[Any]] = field(default_factory=list)
    idle_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def session(self) -> Iterator[psycopg.Connection[Any]]:
        """A prepared masking connection, cancelled by live.cancel_all() on an abort.

        Sessions are reused: a run takes one per chunk, sample, swap, view and ANALYZE,
        and opening and preparing one costs ~5 ms (400 small tables: 1,800 of them).
        Only a session back in its starting state (no transaction open, not in
        autocommit, no error) is kept; any other is closed.
        """
        with self.idle_lock:
            conn = self.idle.pop() if self.idle else None
        if conn is None:
            conn = connect(self.dsn)
            try:
                prepare_session(conn, self.key, self.plan.rules_digest)
            except BaseException:
                conn.close()
                raise
        reusable = False
        try:
            with self.live.track(conn):
                yield conn
            reusable = not conn.autocommit and conn.info.transaction_status == IDLE_STATUS
        finally:
            if reusable:
                with self.idle_lock:
                    self.idle.append(conn)
            else:
                conn.close()

    def close_idle(self) -> None:
        with self.idle_lock:
            idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()


def _fail(run: _Run, relations: list[str], exc: BaseException, hint: str = "") -> None:
    """File an error once, at the relation that raised it; the rest of `relations` (its
    swap group) were rolled back with it. A group's later errors (its other chunks')
    add nothing."""
    if run.failed.issuperset(relations):
        return
    run.failed.update(relations)
    at = raised_at(exc, relations) or (relations[0] if len(relations) == 1 else "")
    refused = isinstance(exc, psycopg.Error) and refused_by_table(exc)
    state = exc.sqlstate or "" if isinstance(exc, psycopg.Error) else ""
    why = first_line(exc) + raised_by(run.dsn, at or relations[0], exc) + hint
    run.failures.append(Failure(at, why, refused, state, [r for r in relations if r != at]))


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


def _drop_leftover_scratch(run: _Run, steps: Iterable[RelationStep]) -> None:
    """Scratch tables a dead run left (masked values only) are dropped before starting."""
    with run.session() as conn:
        for step in steps:
            if step.chunking:
                conn.execute(step.chunking.drop)
        conn.commit()


def _page_ranges(run: _Run, step: RelationStep, workers: int) -> list[tuple[int, int]]:
    with connect(run.dsn) as conn:
        row = conn.execute(  # the name quoted: 'Sales.Client' is not "Sales"."Client"
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
            (quote_table(step.relation),),
        ).fetchone()
    pages = int(row[0]) if row else 0
    count = max(1, workers * CHUNKS_PER_WORKER)
    size = max(1, -(-pages // count))
    # The last range is open-ended: pages appended since we looked are read too.
    bounds = list(range(0, pages, size)) or [0]
    return [
        (lo, bounds[i + 1] if i + 1 < len(bounds) else 2**31 - 1) for i, lo in enumerate(bounds)
    ]


def _create_scratch(run: _Run, chunks: dict[str, list[tuple[int, int]]]) -> None:
    """Each chunked relation's scratch table and one child table per chunk (created up
    front: creating a child locks the parent against the other chunks' creations)."""
    with run.session() as conn:
        for step in run.plan.steps:
            if step.chunking and step.relation in chunks:
                conn.execute(step.chunking.create)
                for index in range(len(chunks[step.relation])):
                    conn.execute(step.chunking.create_chunk(index))
        conn.commit()


def _fill_chunk(
    run: _Run, relation: str, chunking: Chunking, index: int, pages: tuple[int, int]
) -> None:
    with At(relation), run.session() as conn, conn.transaction():
        conn.execute(chunking.lock)
        conn.execute(chunking.fill_chunk(index, *pages))


def _sample_originals(run: _Run, step: RelationStep) -> None:
    """Keyed hashes of original values for the leak check, beside the chunks (committed
    alone: a re-run replaces them, and they hold no original value)."""
    with At(step.relation), run.session() as conn, conn.transaction():
        conn.execute(step.chunking.lock)  # type: ignore[union-attr]
        for statement in step.record_leaks:
            conn.execute(statement)


def _swap(run: _Run, group: SwapGroup) -> list[TableResult]:
    """The group's one transaction: take stock, replace the rows, check, record."""
    started = time.monotonic()
    at = At()  # the relation at work: the one that raised, when PostgreSQL names none

    def stage(name: str, relations: list[str] = group.relations) -> None:
        for relation in relations:
            run.progress.stage(relation, name)
        at.relation = relations[0] if len(relations) == 1 else ""

    with at, run.session() as conn, conn.transaction():
        _take_stock(conn, group, stage)
        aside = notvalid.broken_by_originals(conn, group.relations)  # legacy rows
        rows_after = _replace_rows(conn, group, stage, aside)
        _check_keys(conn, group, stage)
        rows_before = _record_rows(conn, group, rows_after)
    seconds = time.monotonic() - started
    for relation in group.relations:
        run.progress.done(relation)
    return [
        TableResult(r, "rewrite", rows_before[r], rows_after[r], seconds) for r in group.relations
    ]


Stage = Callable[..., None]


def _take_stock(conn: psycopg.Connection[Any], group: SwapGroup, stage: Stage) -> None:
    """Lock the group, then each relation's stock-taking (SwapGroup.taking_stock)."""
    stage("locking")
    conn.execute(group.lock)
    for step in group.steps:
        stage("masking" if step.copy_masked else "sampling originals", [step.relation])
        for statement in group.taking_stock(step):
            conn.execute(statement)


def _replace_rows(
    conn: psycopg.Connection[Any], group: SwapGroup, stage: Stage, aside: list[notvalid.NotValid]
) -> dict[str, int]:
    """Truncate the group at once and refill it, referenced relations first (NOT VALID
    constraints legacy rows break set aside meanwhile, restored as they were)."""
    stage("swapping in")
    for statement in group.clearing():
        conn.execute(statement)
    notvalid.set_aside(conn, aside)
    rows_after: dict[str, int] = {}
    for step in group.steps:
        stage("refilling", [step.relation])
        rows_after[step.relation] = conn.execute(step.refill).rowcount
        stage("indexes and keys", [step.relation])
        for statement in group.rebuilding(step):
            conn.execute(statement)
    for statement in [*group.add_fks_last, *group.unmute_triggers]:
        conn.execute(statement)
    notvalid.put_back(conn, aside)
    return rows_after


def _check_keys(conn: psycopg.Connection[Any], group: SwapGroup, stage: Stage) -> None:
    """Keys masking could break and no re-add validated: refuse to commit orphans."""
    for check in group.fk_checks:
        stage("checking keys", [check.table] if check.table in group.relations else [])
        row = conn.execute(check.orphans).fetchone()
        if row and row[0]:
            raise psycopg.errors.ForeignKeyViolation(
                f"masking would leave {row[0]} row(s) of {check.table} without the row "
                f"their foreign key {check.name} references"
            )


def _record_rows(
    conn: psycopg.Connection[Any], group: SwapGroup, rows_after: dict[str, int]
) -> dict[str, int]:
    """Drop the scratch tables, record the counts, and compare them with the originals'."""
    rows_before: dict[str, int] = {}
    for step in group.steps:
        if step.chunking:
            conn.execute(step.chunking.drop)
        after = rows_after[step.relation]
        row = conn.execute(
            "UPDATE dbrefresh.masked_relations SET rows_after = %s WHERE relation = %s "
            "RETURNING rows_before",
            (after, step.relation),
        ).fetchone()
        rows_before[step.relation] = before = int(row[0]) if row else after
        if not step.deletes_rows and after != before:
            # The chunks did not see the table as the swap does: never commit that.
            raise psycopg.errors.DataException(
                f"masked copy of {step.relation} has {after} rows, the table {before}"
            )
    return rows_before


def _file(
    run: _Run,
    group: SwapGroup,
    outcome: Any,
    report: AnonymizeReport,
    retry: list[SwapGroup] | None = None,
) -> None:
    """File a job's outcome: a swap's results, a retry after a deadlock, or the failure
    of the group (a failed chunk fails its group; its swap was skipped)."""
    if retry is not None and isinstance(outcome, psycopg.errors.DeadlockDetected):
        retry.append(group)  # cannot happen with sorted locks; run alone afterwards
    elif isinstance(outcome, psycopg.Error):
        hint = orphan_hint(outcome, [s.relation for s in group.steps if s.deletes_rows])
        hint += swap_check_hint(run.dsn, group.steps, outcome)
        _fail(run, group.relations, outcome, hint)
    elif isinstance(outcome, BaseException) and not isinstance(outcome, Skipped):
        raise outcome
    elif isinstance(outcome, list):
        report.tables += outcome


def _jobs(
    run: _Run, groups: list[SwapGroup], chunks: dict[str, list[tuple[int, int]]]
) -> tuple[dict[Job, SwapGroup], dict[Job, SwapGroup]]:
    """Per group: the page-range chunks of its large relations (the preparation), then
    the one swap (most urgent: it holds locks and runs alone, while other groups' chunks
    keep the other cores busy)."""
    jobs: dict[Job, SwapGroup] = {}
    swaps: dict[Job, SwapGroup] = {}
    for group in groups:
        before_swap: list[Job] = []
        for step in (s for s in group.steps if s.chunking):
            chunking = step.chunking
            assert chunking is not None
            fills = [
                Job(
                    f"chunk {step.relation} {pages}",
                    partial(_fill_chunk, run, step.relation, chunking, index, pages),
                    2,
                )
                for index, pages in enumerate(chunks[step.relation])
            ]
            sample = Job(f"sample {step.relation}", partial(_sample_originals, run, step), 1)
            before_swap += [*fills, sample]
            jobs.update({job: group for job in [*fills, sample]})
        swap = Job(f"swap {', '.join(group.relations)}", partial(_swap, run, group), 0)
        swap.after = before_swap
        swaps[swap] = group
    return jobs, swaps


def _refresh_view(run: _Run, view: ViewRefresh) -> TableResult:
    """Refresh one materialized view from the masked data. One the clone cannot refresh
    (a foreign table cut off by isolation, a function failing here) is emptied instead:
    its rows may predate masking, and an unpopulated view leaks nothing."""
    started = time.monotonic()
    run.progress.stage(view.relation, "refreshing")
    record = (
        "INSERT INTO dbrefresh.refreshed_views (relation, populated, rules_digest) "
        "VALUES (%s, %s, %s) ON CONFLICT (relation) DO UPDATE SET populated = "
        "excluded.populated, rules_digest = excluded.rules_digest, refreshed_at = DEFAULT"
    )
    action, detail = "refresh", ""
    with run.session() as conn:
        try:
            with conn.transaction():
                conn.execute(view.refresh)
                conn.execute(record, (view.relation, True, run.plan.rules_digest))
        except psycopg.errors.QueryCanceled:
            raise  # an abort, not a view the clone cannot refresh
        except psycopg.Error as exc:
            action, detail = "emptied", first_line(exc)
            with conn.transaction():
                conn.execute(view.empty)
                conn.execute(record, (view.relation, False, run.plan.rules_digest))
    run.progress.done(view.relation, action)
    return TableResult(view.relation, action, -1, -1, time.monotonic() - started, detail)


def _refresh_views(run: _Run, workers: int, report: AnonymizeReport) -> None:
    """Every materialized view of the plan, each after the ones it reads."""
    jobs = {
        v.relation: Job(f"refresh {v.relation}", partial(_refresh_view, run, v), 0)
        for v in run.plan.refresh_views
    }
    for view in run.plan.refresh_views:
        jobs[view.relation].after = [jobs[name] for name in view.after]
    outcomes = run_jobs(list(jobs.values()), workers, on_abort=run.live.cancel_all)
    for relation, job in jobs.items():
        outcome = outcomes[job]
        if isinstance(outcome, TableResult):
            report.tables.append(outcome)
        elif isinstance(outcome, (psycopg.Error, Skipped)):
            _fail(run, [relation], outcome)
        elif isinstance(outcome, BaseException):
            raise outcome


def _empty_large_objects(dsn: str) -> int:
    """Unlink every large object, then rewrite their catalogs (EMPTY_LARGE_OBJECTS)."""
    unlink, *vacuums = EMPTY_LARGE_OBJECTS
    with connect(dsn) as conn:
        with conn.transaction():
            row = conn.execute(unlink).fetchone()
        conn.autocommit = True  # VACUUM runs outside a transaction
        for statement in vacuums:
            conn.execute(statement)
    return int(row[0]) if row else 0


def _pending_groups(dsn: str, plan: Plan) -> list[SwapGroup]:
    """Groups a previous run did not swap (a group commits all its relations or none)."""
    done = _already_done(dsn, plan)
    pending = []
    for group in plan.groups:
        finished = done.intersection(group.relations)
        if not finished:
            pending.append(group)
        elif len(finished) < len(group.relations):
            raise UsageError(
                f"{', '.join(sorted(finished))} already masked but not "
                f"{', '.join(sorted(set(group.relations) - finished))}, which must be "
                "swapped with them; start from a fresh clone"
            )
    return pending


def _run_groups(
    run: _Run,
    pending: list[SwapGroup],
    chunked: list[RelationStep],
    pool_size: int,
    report: AnonymizeReport,
    statistics: bool,
) -> None:
    """Chunks, swaps, view refreshes and statistics, on `pool_size` sessions at a time."""
    _drop_leftover_scratch(run, chunked)
    chunks = {s.relation: _page_ranges(run, s, pool_size) for s in chunked}
    _create_scratch(run, chunks)
    for step in chunked:
        run.progress.stage(step.relation, "masking (parallel chunks)")
    preparation, swaps = _jobs(run, pending, chunks)
    outcomes = run_jobs([*preparation, *swaps], pool_size, on_abort=run.live.cancel_all)
    for job, group in preparation.items():
        _file(run, group, outcomes[job], report)
    retry: list[SwapGroup] = []
    for job, group in swaps.items():
        _file(run, group, outcomes[job], report, retry)
    for group in retry:
        retry_job = Job("retry", partial(_swap, run, group), 0)
        [outcome] = run_jobs([retry_job], 1, on_abort=run.live.cancel_all).values()
        _file(run, group, outcome, report)
    if any(s.relation in run.failed for s in chunked):
        _drop_leftover_scratch(run, [s for s in chunked if s.relation in run.failed])
    if not run.failures:  # a failed group is not masked yet: refresh after the re-run
        _refresh_views(run, pool_size, report)
    if not run.failures and statistics:
        replace_statistics(
            run.dsn,
            run.plan.statistics_of,
            run.session,
            pool_size,
            run.live.cancel_all,
            run.progress,
            report,
        )


def execute_plan(
    dsn: str,
    plan: Plan,
    key: str,
    *,
    workers: int | None = None,
    show_progress: bool = True,
    refresh_statistics: bool = True,
    clock: Callable[[], float] = time.monotonic,
    command: Command = "anonymize",
) -> AnonymizeReport:
    """Execute every step of the plan; raise MaskingRefused or InfraError naming the
    relations that failed, with advice for `command` (failures.py).

    refresh_statistics=False leaves the changed relations' planner statistics (which
    hold production's values) to the caller: the refresh workflow scrubs every
    statistic of the clone and analyzes afterwards anyway.
    """
    started = clock()
    report = AnonymizeReport(database=plan.database)
    pending = _pending_groups(dsn, plan)
    report.already_masked = sorted(r for g in plan.groups if g not in pending for r in g.relations)
    preflight(dsn, key, plan, [s for g in pending for s in g.steps])
    if plan.truncating:
        with connect(dsn) as conn:
            prepare_session(conn, key, plan.rules_digest)
            with conn.transaction():
                for statement in plan.truncating:
                    conn.execute(statement)
        report.tables += [TableResult(t, "truncate", -1, 0, 0.0) for t in plan.truncate]
    if plan.empty_large_objects:
        report.large_objects_removed = _empty_large_objects(dsn)
    chunked = [s for g in pending for s in g.steps if s.chunking]
    pool_size = max(1, workers or os.cpu_count() or 1)
    statistics = refresh_statistics and bool(plan.statistics_of)
    total = sum(len(g.steps) for g in pending) + len(plan.refresh_views) + statistics
    with TableProgress(total, enabled=show_progress) as progress:
        run = _Run(dsn, key, plan, progress)
        try:
            _run_groups(run, pending, chunked, pool_size, report, statistics)
        finally:
            run.close_idle()
    report.tables += [TableResult(t, "keep", -1, -1, 0.0) for t in plan.kept]
    report.seconds = clock() - started
    if run.failures:
        masked = [
            *report.already_masked,
            *(t.table for t in report.tables if t.action == "rewrite"),
        ]
        raise failure_error(run.failures, masked, command)
    return report
