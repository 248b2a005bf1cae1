"""Runs that died: how `cleanup` undoes each, and what `run` may remove on its own.

Both decide under the target's lock, which every run holds for its whole life: any
other run of the target whose journal says "running" is dead. A dead run that began its
swap and did not pass its health check may still serve staging, and its kept copy is
the way back: only `cleanup` (or `rollback`) decides about it. Everything else a dead
or failed run left (its temporary server, `.partial`/`.clone`/`.strict` directories,
`work_dir/RUN`) no rollback can need: the next `run` removes it and says so. It used
to warn only, and a run whose compensation was cut short kept its clone (possibly
unmasked) and temporary server on disk until someone ran `cleanup`.
"""

from __future__ import annotations

from dbrefresh.backends.base import Backend, Leftover
from dbrefresh.errors import Aborted, DbrefreshError, first_line
from dbrefresh.workflow.journal import Journal, RunRecord

ROLLBACK = "rollback"  # its swap may still serve staging: roll back if data is kept
SUPERSEDED = "superseded"  # it swapped, but a later run's data serves staging since

# what Backend.discard removes (never .prev, .kept of a kept copy, .failed)
_REMOVABLE = {"partial", "clone", "strict", "deleting", "run_dir", "temp_server", "tablespaces"}


def undo(journal: Journal, record: RunRecord) -> str:
    """How `cleanup` undoes the dead run `record`: ROLLBACK, SUPERSEDED, or "" (nothing
    of it serves staging: discarding its files is all). The journal decides, not
    staging's refresh_info: staging may be down after a kill."""
    if not record.started_step("swap") or record.done("health_check"):
        return ""
    if journal.superseded_by(record.run_id) is not None:
        return SUPERSEDED
    return ROLLBACK


def remove_left(
    journal: Journal, backend: Backend, own: list[RunRecord], run_id: str
) -> tuple[list[str], list[str]]:
    """For `run` (under the target's lock, as run_id): remove what other runs of this
    target (`own`: workflow/ownership.py) left that no rollback can need, journal dead
    ones as cleaned; the run's warnings (what went), and the dead runs that `cleanup`
    must decide about (died during their swap: the journal words their warning, which
    holds only until this run swaps, RunRecord.warnings). Another target's runs (a
    shared state_dir, work_dir or parent) are another lock's."""
    warnings: list[str] = []
    dead_swaps: list[str] = []
    ended: set[str] = set()
    for record in own:
        if record.run_id == run_id:
            continue
        if record.finished:
            ended.add(record.run_id)
        elif undo(journal, record) == ROLLBACK:
            dead_swaps.append(record.run_id)
        else:
            warnings.append(_end_dead(journal, backend, record.run_id))
    left = [item for item in backend.leftovers() if item.run_id in ended]
    for gone in sorted({item.run_id for item in left if item.kind in _REMOVABLE}):
        if (problem := _discard(backend, gone)) is not None:
            warnings.append(problem)
            continue
        warnings.append(f"removed what run {gone} left: {', '.join(_removable(left, gone))}")
    return warnings, dead_swaps


def _end_dead(journal: Journal, backend: Backend, dead: str) -> str:
    """Discard a dead run that nothing of staging depends on and journal it cleaned (it
    can no longer be resumed: its clone is gone)."""
    what = _removable(backend.leftovers(), dead)
    if (problem := _discard(backend, dead)) is not None:
        return problem
    journal.append(dead, "run_cleaned", by="run")
    removed = f"removed what it left: {', '.join(what)}" if what else "it left nothing"
    return f"run {dead} died without finishing (journaled cleaned); {removed}"


def _removable(left: list[Leftover], run_id: str) -> list[str]:
    return sorted(
        {f"{i.kind} {i.location}" for i in left if i.run_id == run_id and i.kind in _REMOVABLE}
    )


def _discard(backend: Backend, dead: str) -> str | None:
    """Discard dead's files; a failure (not an abort) is the run's warning, not its end."""
    try:
        backend.discard(dead)
    except Aborted:
        raise
    except (DbrefreshError, OSError) as exc:
        return (
            f"could not remove what run {dead} left ({first_line(exc)}); "
            "`dbrefresh cleanup` removes it"
        )
    return None
