"""A run's way out of a failed or aborted step: compensate to the end, whatever arrives.

A failing step triggers its compensation (DESIGN: every step has one): before the swap
that is discarding the clone and the temporary server, so staging is untouched; from
the swap on it is a rollback to staging's previous data. No signal may cut that short:
a first SIGTERM or Ctrl-C arriving while a failure is undone used to be raised into the
rollback, which stopped halfway (staging left on the data that had just failed). Now it
is kept (interrupts.held) and, once the compensation is done, reported beside the
original failure with the abort's exit code.

Once the health check is journaled done, staging serves this run's data: whatever
fails or aborts after that (the window before the cleanup step's own `try`) is the
cleanup step's warning on a refresh that succeeded, never a failed run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from dbrefresh import interrupts
from dbrefresh.db import redact_text
from dbrefresh.errors import Aborted, DbrefreshError, InfraError, Interrupted, first_line
from dbrefresh.workflow.context import RunContext
from dbrefresh.workflow.steps import CLEANUP_INCOMPLETE, STEP_NAMES, SWAPPED_FROM


def end_failed_step(
    ctx: RunContext,
    index: int,
    exc: BaseException,
    seconds: float,
    report_failed: Callable[[str], None],
) -> DbrefreshError | None:
    """Compensate step `index`'s failure `exc`; the run's error (None: the refresh is
    done with a warning). A Ctrl-C that was the failure itself is raised again once
    compensated (exit 130)."""
    step = STEP_NAMES[index]
    with interrupts.held() as hold:
        if _health_proven(ctx):
            _end_with_cleanup_warning(ctx, exc, seconds)
            return None  # an abort arriving meanwhile changes nothing: the refresh is done
        error = as_dbrefresh_error(exc, ctx)
        note(ctx, "step_failed", step=step, seconds=seconds, error=str(error))
        report_failed(str(error))
        compensate(ctx, index)
        late = hold.abort()
        if late is not None:
            error = _aborted_during_compensation(late, step, error)
        note(ctx, "run_failed", step=step, error=str(error))
    late = hold.abort()
    if late is not None and not isinstance(error, Aborted):  # after the journal line
        error = _aborted_during_compensation(late, step, error)
    if late is None and not isinstance(exc, Exception):
        raise exc
    return error


def _aborted_during_compensation(
    abort: BaseException, step: str, error: DbrefreshError
) -> DbrefreshError:
    """The abort that arrived while a failure was undone, naming that failure too."""
    said = "interrupted (Ctrl-C)" if isinstance(abort, KeyboardInterrupt) else str(abort)
    kind = Interrupted if isinstance(abort, KeyboardInterrupt) else Aborted
    return kind(
        f"{said} while undoing a failed run (the undo was finished first); "
        f"step {step} had failed: {error}"
    )


def _health_proven(ctx: RunContext) -> bool:
    """Whether the journal says the health check passed (staging serves this run)."""
    try:
        return ctx.journal.read(ctx.run_id).done("health_check")
    except OSError:
        return False


def _end_with_cleanup_warning(ctx: RunContext, exc: BaseException, seconds: float) -> None:
    """Journal the cleanup step as done with a warning, as the step itself does for a
    failure inside its `try` (steps.Cleanup); nothing to write if the run already ended."""
    if ctx.journal.read(ctx.run_id).state == "done":
        return
    warning = f"{CLEANUP_INCOMPLETE} ({first_line(as_dbrefresh_error(exc, ctx))})"
    data = {"warnings": [warning]}
    note(ctx, "step_done", step="cleanup", seconds=seconds, data=data)
    note(ctx, "run_done")


def as_dbrefresh_error(exc: BaseException, ctx: RunContext) -> DbrefreshError:
    if isinstance(exc, DbrefreshError):
        return exc
    text = f"{type(exc).__name__}: {exc}".strip()
    for dsn in (ctx.config.source.dsn, ctx.config.target.dsn):
        text = redact_text(text, dsn)
    return InfraError(text)


def note(ctx: RunContext, event: str, **data: Any) -> None:
    """Journal on the way out of a failure: a journal that cannot be written (a full
    state_dir) must not keep the compensation from running."""
    with contextlib.suppress(InfraError):
        ctx.journal.append(ctx.run_id, event, **data)


def compensate(ctx: RunContext, failed_index: int) -> None:
    """Undo what the run did so far; never raises (the original error matters more).
    Journals `compensated` when every part of it succeeded."""
    backend, run_id = ctx.backend, ctx.run_id
    failed = False
    try:
        if failed_index >= SWAPPED_FROM and STEP_NAMES[failed_index] != "cleanup":
            if backend.target.can_roll_back(run_id):
                backend.target.rollback(run_id)
                note(ctx, "rolled_back", reason=STEP_NAMES[failed_index])
            else:
                backend.target.ensure_serving()
    except Exception as exc:
        failed = True
        note(ctx, "compensation_failed", error=str(exc))
    try:
        backend.discard(run_id)
    except Exception as exc:
        failed = True
        note(ctx, "compensation_failed", error=str(exc))
    if not failed:
        note(ctx, "compensated")
