"""Run jobs that depend on each other on a thread pool, the most urgent ready job first.

Masking is a small graph per relation group (value maps -> page-range chunks -> one swap);
a plain pool would run it in waves, leaving cores idle at every barrier.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any


class Skipped(Exception):
    """The job did not run: a job it depends on failed."""


@dataclass(eq=False)
class Job:
    name: str
    run: Callable[[], Any]
    urgency: int  # lower runs first among ready jobs; ties keep submission order
    after: list[Job] = field(default_factory=list)


def run_jobs(
    jobs: Sequence[Job], workers: int, on_abort: Callable[[], None] | None = None
) -> dict[Job, Any]:
    """Run every job once its dependencies succeeded; return each job's result, or the
    exception it raised, or Skipped when a dependency failed.

    When the calling thread is interrupted (a signal turned into an exception, Ctrl-C),
    on_abort() runs before the pool waits for the running jobs: it should make them end.
    """
    outcomes: dict[Job, Any] = {}
    # Counters instead of rescanning every waiting job at each completion: that was
    # quadratic in the jobs (10,000 tables: 30,000 jobs).
    dependents: dict[Job, list[Job]] = {job: [] for job in jobs}
    unmet = {job: len(set(job.after)) for job in jobs}
    for job in jobs:
        for dep in set(job.after):
            dependents.setdefault(dep, []).append(job)
    ready = [(job.urgency, i) for i, job in enumerate(jobs) if not unmet[job]]
    heapq.heapify(ready)
    running: dict[Future[Any], Job] = {}

    def skip(first: Job) -> None:
        stack = [first]
        while stack:
            job = stack.pop()
            if job not in outcomes:
                outcomes[job] = Skipped(f"{job.name}: a job it depends on failed")
                stack += dependents[job]

    def finish(job: Job, outcome: Any) -> None:
        outcomes[job] = outcome
        for later in dependents[job]:
            if isinstance(outcome, BaseException):
                skip(later)
            elif later not in outcomes:
                unmet[later] -= 1
                if not unmet[later]:
                    heapq.heappush(ready, (later.urgency, order[later]))

    order = {job: i for i, job in enumerate(jobs)}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        try:
            while ready or running:
                while ready and len(running) < max(1, workers):
                    job = jobs[heapq.heappop(ready)[1]]
                    if job not in outcomes:  # (skipped while it waited)
                        running[pool.submit(job.run)] = job
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    error = future.exception()
                    finish(job, error if error is not None else future.result())
        except BaseException:
            if on_abort is not None and running:
                on_abort()
            raise
    stuck = [job.name for job in jobs if job not in outcomes]
    if stuck:
        raise RuntimeError(f"jobs wait on each other: {stuck}")
    return outcomes
