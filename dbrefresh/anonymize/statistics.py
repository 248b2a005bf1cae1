"""Replace the planner statistics of what masking changed: they hold production's values.

Runs after the swaps and the materialized views' refreshes (rules.plan.REPLACE_STATISTICS
says what goes and why ANALYZE alone is not enough).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

import psycopg

from dbrefresh.anonymize.progress import TableProgress
from dbrefresh.anonymize.report import AnonymizeReport
from dbrefresh.anonymize.schedule import Job, run_jobs
from dbrefresh.db import connect
from dbrefresh.errors import first_line
from dbrefresh.rules.plan import REPLACE_STATISTICS, STATISTICS_TO_ANALYZE

Session = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
ROW = "planner statistics"  # the progress display's line


def replace_statistics(
    dsn: str,
    relations: list[str],
    session: Session,
    workers: int,
    on_abort: Callable[[], None],
    progress: TableProgress,
    report: AnonymizeReport,
) -> None:
    """Delete the statistics of `relations` (quoted names) and what hangs off them, then
    ANALYZE the masked data, one relation per session in parallel. A relation ANALYZE
    fails on (expression statistics calling a function that refuses masked values) is
    left without statistics and reported: the masking itself is done and clean."""
    params = {"relations": relations}
    progress.stage(ROW, "removing production's")
    with connect(dsn) as conn:
        conn.autocommit = True  # VACUUM runs outside a transaction
        *deletes, vacuum = REPLACE_STATISTICS
        with conn.transaction():
            for statement in deletes:
                conn.execute(statement, params)
        conn.execute(vacuum)
        targets = [str(r[0]) for r in conn.execute(STATISTICS_TO_ANALYZE, params)]
    analyzed: list[str] = []

    def analyze(relation: str) -> None:
        with session() as conn:
            conn.autocommit = True
            conn.execute(f"ANALYZE {relation}")
            conn.autocommit = False  # as sessions start: the session can be reused
        analyzed.append(relation)  # list.append is atomic: the count may lag, not break
        progress.stage(ROW, f"{len(analyzed)}/{len(targets)} analyzed")

    jobs = {Job(f"analyze {r}", partial(analyze, r), 0): r for r in targets}
    for job, outcome in run_jobs(list(jobs), workers, on_abort=on_abort).items():
        if isinstance(outcome, psycopg.Error):
            report.unanalyzed[jobs[job]] = first_line(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
    report.analyzed = sorted(analyzed)
    with session() as conn:
        conn.autocommit = True
        # the leak samples just written: without statistics, verify's first kept-copy
        # statements planned nested loops over them (37-47 s on 200k rows, 2 s after)
        conn.execute("ANALYZE dbrefresh.leak_hashes, dbrefresh.leak_path_hashes")
        conn.autocommit = False
    progress.done(ROW, f"{len(analyzed)} analyzed")
