"""A run's way out of a failed or aborted step: compensate to the end, whatever arrives.

A failing step triggers its compensation (DESIGN: every step has one): before the swap
that is discarding the clone and the temporary server, so staging is untouched; from
the swap on it is a rollback to staging's previous data. No signal may cut that short:
a first SIGTERM or Ctrl-C arriving while a failure is undone used to be raised into the
rollback, which stopped halfway (staging left on the data that had just failed). Now it
is kept (interrupts.held) and, once the compensation is done, reported beside the
original failure with the abort's exit code. A Ctrl-C that was the failure itself is
the run's error like a SIGTERM (`interrupted (Ctrl-C); staging untouched …`, exit 130,
after the summary), no longer a bare KeyboardInterrupt the CLI printed as `interrupted`.

Once the health check is journaled done, staging serves this run's data: whatever
fails or aborts after that (the window before the cleanup step's own `try`) is the
cleanup step's warning on a refresh that succeeded, never a failed run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

from dbrefresh import interrupts
from dbrefresh.db import redact_text
from dbrefresh.errors import (
    Aborted,
    DbrefreshError,
    InfraError,
    Interrupted,
    RulesError,
    VerdictFailed,
    aborted_while_undoing,
    first_line,
)
from dbrefresh.workflow.context import RunContext
from dbrefresh.workflow.steps import CLEANUP_INCOMPLETE, STEP_NAMES, SWAPPED_FROM


def end_failed_step(
    ctx: RunContext,
    index: int,
    exc: BaseException,
    began: float,
    report_failed: Callable[[float, str], None],
) -> DbrefreshError | None:
    """Compensate the failure `exc` of step `index` (begun at monotonic `began`); the
    run's error, None when the refresh is done (with a warning). An abort (SIGTERM,
    Ctrl-C) that was the failure itself ends saying where staging stands."""
    with interrupts.held() as hold:  # first thing: no abort may skip the compensation
        seconds = ctx.env.monotonic() - began
        if _health_proven(ctx):
            return _end_with_cleanup_warning(ctx, exc, seconds)  # an abort changes nothing
        step = STEP_NAMES[index]
        error = as_dbrefresh_error(exc, ctx)
        note(ctx, "step_failed", step=step, seconds=seconds, error=str(error))
        report_failed(seconds, str(error))
        undone = compensate(ctx, index)
        if undone.staging_down is not None:
            error = _staging_down(error, undone.staging_down)
        elif isinstance(error, Aborted) or _says_nothing_of_staging(error, index):
            # where the run left staging, as rollback says
            rolled_back = undone.rolled_back or _journaled_rollback(ctx)
            error = _with_text(error, f"{error}; {_staging_state(index, rolled_back)}")
        if undone.copy_left is not None:
            error = _copy_left(error, undone.copy_left)
        error = _with_late_abort(hold, step, error)
        note(ctx, "run_failed", step=step, error=str(error))
    error = _with_late_abort(hold, step, error)  # one that came after the journal line
    if hold.abort() is None and not isinstance(exc, Exception | KeyboardInterrupt):
        raise exc  # SystemExit and the like: as they are
    return error


def _says_nothing_of_staging(error: DbrefreshError, index: int) -> bool:
    """A failure from the swap on that is not the health check's own verdict (which says
    staging was rolled back): a journal that could not be written after the swap left
    the user guessing which data staging served."""
    return index >= SWAPPED_FROM and not isinstance(error, VerdictFailed | RulesError)


def _with_text(error: DbrefreshError, text: str) -> DbrefreshError:
    """The same kind of error (its exit code) with another message (a RulesError, built
    from findings, stays as it is)."""
    return error if isinstance(error, RulesError) else type(error)(text)


def _journaled_rollback(ctx: RunContext) -> bool:
    """Whether the journal says staging was rolled back (the health check step rolls
    back itself before the compensation runs); False when it cannot be read."""
    try:
        return ctx.journal.read(ctx.run_id).rolled_back
    except OSError:
        return False


def _staging_state(index: int, rolled_back: bool) -> str:
    """What staging serves once a failed or aborted run was undone (its compensation
    done): from what the compensation did, or the journal (which may be unwritable:
    the compensation's own word comes first)."""
    if index < SWAPPED_FROM:
        return "staging untouched (the run's copy was discarded)"
    if rolled_back:
        return "staging rolled back: it serves the data it had before the run"
    return "staging serves the data it had before the run (the swap had not happened)"


def _with_late_abort(hold: interrupts.Hold, step: str, error: DbrefreshError) -> DbrefreshError:
    """The run's error once an abort arrived during its compensation: the abort's, naming
    the failure (exit 3, or 130 for Ctrl-C)."""
    late = hold.abort()
    if late is None or isinstance(error, Aborted):  # already the abort (or named it)
        return error
    return aborted_while_undoing(late, f"step {step} had failed: {error}")


def _health_proven(ctx: RunContext) -> bool:
    """Whether the journal says the health check passed (staging serves this run)."""
    try:
        return ctx.journal.read(ctx.run_id).done("health_check")
    except OSError:
        return False


def _end_with_cleanup_warning(
    ctx: RunContext, exc: BaseException, seconds: float
) -> DbrefreshError | None:
    """Journal the cleanup step done with a warning, as the step itself does for a
    failure inside its `try` (steps.Cleanup); nothing to write if the run already ended.
    A journal that cannot take it (state_dir full) is still an error, naming what is."""
    if ctx.journal.read(ctx.run_id).state == "done":
        return None
    warning = f"{CLEANUP_INCOMPLETE} ({first_line(as_dbrefresh_error(exc, ctx))})"
    try:
        ctx.journal.append(
            ctx.run_id, "step_done", step="cleanup", seconds=seconds, data={"warnings": [warning]}
        )
        ctx.journal.append(ctx.run_id, "run_done")
    except InfraError as unwritable:
        return InfraError(
            f"{unwritable}; staging serves this run's data (its health check passed), "
            "but the journal cannot say so: `dbrefresh cleanup` ends the run"
        )
    return None


def as_dbrefresh_error(exc: BaseException, ctx: RunContext) -> DbrefreshError:
    if isinstance(exc, DbrefreshError):
        return exc
    if isinstance(exc, KeyboardInterrupt):  # it said `KeyboardInterrupt:`, the CLI only
        return Interrupted("interrupted (Ctrl-C)")  # `interrupted`, after a silent undo
    text = f"{type(exc).__name__}: {exc}".strip()
    for dsn in (ctx.config.source.dsn, ctx.config.target.dsn):
        text = redact_text(text, dsn)
    return InfraError(text)


def note(ctx: RunContext, event: str, **data: Any) -> None:
    """Journal on the way out of a failure: a journal that cannot be written (a full
    state_dir) must not keep the compensation from running."""
    with contextlib.suppress(InfraError):
        ctx.journal.append(ctx.run_id, event, **data)


class Undone(NamedTuple):
    """What a compensation did not do, each said with the run's error: why staging
    does not serve after a failed rollback, why the run's copy (production's data,
    unmasked or half masked) could not be removed (None: done); and whether it rolled
    staging back."""

    staging_down: str | None = None
    copy_left: str | None = None
    rolled_back: bool = False


def compensate(ctx: RunContext, failed_index: int) -> Undone:
    """Undo what the run did so far; never raises (the original error matters more).
    Journals `compensated` when every part of it succeeded. A run must never end with
    staging down, or with a copy of production left behind, without saying so."""
    backend, run_id = ctx.backend, ctx.run_id
    failed = False
    staging_down: str | None = None
    copy_left: str | None = None
    rolled_back = False
    try:
        if failed_index >= SWAPPED_FROM and STEP_NAMES[failed_index] != "cleanup":
            if backend.target.can_roll_back(run_id):
                backend.target.rollback(run_id)
                rolled_back = True
                note(ctx, "rolled_back", reason=STEP_NAMES[failed_index])
            else:
                backend.target.ensure_serving()
    except Exception as exc:
        failed = True
        note(ctx, "compensation_failed", error=str(exc))
        staging_down = None if _serving(ctx) else first_line(as_dbrefresh_error(exc, ctx))
    try:
        backend.discard(run_id)
    except Exception as exc:
        failed = True
        note(ctx, "compensation_failed", error=str(exc))
        copy_left = first_line(as_dbrefresh_error(exc, ctx))
    if not failed:
        note(ctx, "compensated")
    return Undone(staging_down, copy_left, rolled_back)


def _serving(ctx: RunContext) -> bool:
    try:
        return ctx.backend.target.is_serving()
    except Exception:
        return False


def _copy_left(error: DbrefreshError, why: str) -> DbrefreshError:
    """The run's error once its copy of production could not be removed: that copy holds
    production's personal data (the masking had not finished), so it is said, with the
    command that removes it (exit 3; an abort keeps its own code)."""
    text = (
        f"{error}; the run's copy of production could not be removed ({why}): it may "
        "hold production's unmasked data, run `dbrefresh cleanup` to remove it"
    )
    return type(error)(text) if isinstance(error, Aborted) else InfraError(text)


def _staging_down(error: DbrefreshError, why: str) -> DbrefreshError:
    """The run's error once its rollback failed too and staging does not run: said
    first and loudly, with the way back (exit 3; an abort keeps its own code)."""
    text = (
        f"STAGING IS DOWN: the rollback could not start staging again ({why}). "
        "Run `dbrefresh cleanup` (it serves staging's whole data again) or "
        f"`dbrefresh rollback`, then check staging. The run had failed: {error}"
    )
    return type(error)(text) if isinstance(error, Aborted) else InfraError(text)
