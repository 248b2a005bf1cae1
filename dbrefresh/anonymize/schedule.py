"""Run jobs that depend on each other on a thread pool, the most urgent ready job first.

Masking is a small graph per relation group (value maps -> page-range chunks -> one swap);
a plain pool would run it in waves, leaving cores idle at every barrier.
"""

from __future__ import annotations

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
    order = {job: i for i, job in enumerate(jobs)}
    waiting = list(jobs)
    running: dict[Future[Any], Job] = {}

    def failed(job: Job) -> bool:
        return isinstance(outcomes.get(job), BaseException)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        try:
            while waiting or running:
                while doomed := [j for j in waiting if any(failed(d) for d in j.after)]:
                    for job in doomed:
                        waiting.remove(job)
                        outcomes[job] = Skipped(f"{job.name}: a job it depends on failed")
                ready = sorted(
                    (j for j in waiting if all(d in outcomes for d in j.after)),
                    key=lambda j: (j.urgency, order[j]),
                )
                for job in ready[: max(0, workers - len(running))]:
                    waiting.remove(job)
                    running[pool.submit(job.run)] = job
                if not running:
                    if waiting:
                        raise RuntimeError(f"jobs wait on each other: {[j.name for j in waiting]}")
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    error = future.exception()
                    outcomes[job] = error if error is not None else future.result()
        except BaseException:
            if on_abort is not None and running:
                on_abort()
            raise
    return outcomes
