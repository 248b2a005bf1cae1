"""The job runner: dependencies first, failures skip their dependents, urgent jobs first."""

from __future__ import annotations

import threading

import pytest

from dbrefresh.anonymize.schedule import Job, Skipped, run_jobs


def test_jobs_run_after_their_dependencies_and_return_results() -> None:
    finished: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> str:
        with lock:
            finished.append(name)
        return name.upper()

    chunks = [Job(f"c{i}", lambda i=i: work(f"c{i}"), 1) for i in range(4)]
    swap = Job("swap", lambda: work("swap"), 0, after=chunks)
    outcomes = run_jobs([swap, *chunks], workers=2)
    assert finished[-1] == "swap" and sorted(finished[:-1]) == ["c0", "c1", "c2", "c3"]
    assert outcomes[swap] == "SWAP" and outcomes[chunks[2]] == "C2"


def test_a_failure_skips_what_depends_on_it_and_nothing_else() -> None:
    def boom() -> None:
        raise ValueError("chunk failed")

    bad = Job("bad", boom, 1)
    swap_a = Job("swap a", lambda: "a", 0, after=[bad])
    after_swap = Job("after swap a", lambda: "late", 0, after=[swap_a])
    swap_b = Job("swap b", lambda: "b", 0)
    outcomes = run_jobs([bad, swap_a, after_swap, swap_b], workers=2)
    assert isinstance(outcomes[bad], ValueError)
    assert isinstance(outcomes[swap_a], Skipped) and isinstance(outcomes[after_swap], Skipped)
    assert outcomes[swap_b] == "b"


def test_the_most_urgent_ready_job_starts_first() -> None:
    started: list[str] = []
    jobs = [
        Job(name, lambda name=name: started.append(name), urgency)
        for name, urgency in [("chunk", 2), ("other chunk", 2), ("swap", 0), ("map", 1)]
    ]
    run_jobs(jobs, workers=1)
    assert started == ["swap", "map", "chunk", "other chunk"]


def test_jobs_waiting_on_each_other_are_refused() -> None:
    a = Job("a", lambda: None, 0)
    b = Job("b", lambda: None, 0, after=[a])
    a.after = [b]
    with pytest.raises(RuntimeError, match="wait on each other"):
        run_jobs([a, b], workers=2)


def test_a_failure_skips_a_long_chain_and_a_job_with_a_dependency_that_succeeded() -> None:
    def boom() -> None:
        raise ValueError("chunk failed")

    bad = Job("bad", boom, 1)
    fine = Job("fine", lambda: "ok", 2)
    both = Job("both", lambda: "ran", 0, after=[fine, bad])
    chain = [Job("c0", lambda: "ran", 0, after=[bad])]
    for i in range(1, 5000):  # deeper than Python's recursion limit
        chain.append(Job(f"c{i}", lambda: "ran", 0, after=[chain[-1]]))
    outcomes = run_jobs([bad, fine, both, *chain], workers=2)
    assert outcomes[fine] == "ok"
    assert isinstance(outcomes[both], Skipped)
    assert all(isinstance(outcomes[job], Skipped) for job in chain)
