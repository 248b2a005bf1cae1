"""Run, resume, roll back and clean up refreshes: the steps, the journal and the lock.

A failing step triggers its compensation (failing.py). A killed process compensates
nothing; `run --resume` continues from the journal and `cleanup` compensates.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dbrefresh import interrupts
from dbrefresh.backends import load_backend
from dbrefresh.backends.base import Backend
from dbrefresh.config import Config
from dbrefresh.db import redact_dsn
from dbrefresh.errors import (
    Aborted,
    DbrefreshError,
    InfraError,
    Interrupted,
    UsageError,
    first_line,
)
from dbrefresh.workflow import (
    configfiles,
    deadruns,
    failing,
    finalize,
    firstrun,
    masking,
    ownership,
    ruledbs,
    sourceroles,
    targetlogin,
)
from dbrefresh.workflow.context import Env, RunContext
from dbrefresh.workflow.journal import Journal, RunRecord
from dbrefresh.workflow.lock import TargetLock, lock_location
from dbrefresh.workflow.steps import STEP_NAMES, STEPS, Step


class Reporter:
    """What the CLI sees of a run (the default reports nothing)."""

    def run_started(self, run_id: str, resumed: bool) -> None: ...

    def step_started(self, index: int, step: Step) -> None: ...

    def step_done(self, index: int, step: Step, seconds: float, data: dict[str, Any]) -> None: ...

    def step_failed(self, index: int, step: Step, seconds: float, error: str) -> None: ...


@dataclass
class RunResult:
    run_id: str
    ok: bool
    record: RunRecord
    error: DbrefreshError | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)


def new_run_id(env: Env) -> str:
    stamp = datetime.fromtimestamp(env.clock(), UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{env.rng.getrandbits(16):04x}"


def _unused_run_id(env: Env, journal: Journal) -> str:
    """A new run's id, drawn under the target's lock (after the previous run ended):
    one drawn before, while waiting for the lock, could equal that of a run started in
    the same second, which then shared its journal and files (its kept copy stood in
    the way of the swap, and the failed swap rolled staging back onto it)."""
    while journal.exists(run_id := new_run_id(env)):
        pass
    return run_id


def _lock(config: Config, env: Env, run_id: str, command: str) -> TargetLock:
    lock_dir, name = lock_location(config)
    return TargetLock(
        lock_dir,
        name,
        timeout=config.lock.timeout_seconds,
        run_id=run_id,
        command=command,
        clock=env.clock,
        label=config.target.name,
    )


def _preflight(config: Config, env: Env) -> dict[str, list[Any]]:
    """Everything that can refuse before production is touched (exit 2, nothing done)."""
    from dbrefresh.anonymize.seed import resolve_seed
    from dbrefresh.rules.load import load_rules

    configfiles.require_rule_files(config)
    databases = masking.rules_by_database(config.rules.files)
    present = ruledbs.require_on_source(config.source.dsn, databases)  # before any copy
    if present is not None:
        configfiles.require_smoke_databases(config, databases, present)
        configfiles.require_covered(config, databases, present)
    sourceroles.require_on_source(config)
    finalize.role_secrets(config.roles, env.environment(), config.where)
    seed = finalize.masking_seed(config.rules.seed_file, config.where("rules", "seed_file"))
    for files in databases.values():
        rules = load_rules(files)
        if seed is None and not env.environment().get(rules.seed_env):
            resolve_seed(None, rules.seed_env, flag=None)
    return dict(databases)


def run(
    config: Config,
    *,
    resume: str | None = None,
    env: Env | None = None,
    reporter: Reporter | None = None,
    show_progress: bool = False,
    backend: Backend | None = None,
    notify: Callable[[RunResult, Config], str | None] | None = None,
) -> RunResult:
    env = env or Env()
    reporter = reporter or Reporter()
    backend = backend or load_backend(config)
    journal = Journal(config.state_dir, env.clock)
    if resume and not journal.exists(resume):
        raise UsageError(f"no run {resume} in {journal.root}")
    databases = _preflight(config, env)
    if not resume:  # a resumed run may have renamed staging's directory mid-swap
        firstrun.require_target(config)
    with _lock(config, env, resume or "", "run") as lock:
        # under the lock: no other run is swapping
        run_id = resume or _unused_run_id(env, journal)
        lock.claim(run_id)
        login = targetlogin.reach_target(config, backend)
        targetlogin.check_roles(login, finalize.role_secrets(config.roles, env.environment()))
        backend.target.check_startable()  # the swap and a rollback would restart it
        # under the lock: every other run of the target is dead
        own = ownership.adopt(journal, config, backend)  # (a state_dir may be shared)
        left, dead_swaps = deadruns.remove_left(journal, backend, own, run_id)
        if resume:
            record = journal.read(run_id)
            if whose := ownership.whose(record, config, journal.runs()):
                raise UsageError(f"run {run_id} is not a run of this target ({whose})")
            if record.finished:
                raise UsageError(f"run {run_id} already ended ({record.state}); nothing to resume")
            if (later := journal.superseded_by(run_id)) is not None:
                raise UsageError(
                    f"run {run_id} cannot be resumed: run {later} has swapped newer data into "
                    f"staging since, which resuming would replace with {run_id}'s older "
                    f"snapshot; `dbrefresh cleanup` removes what {run_id} left"
                )
            backend.claim(run_id)
            start = _resume_point(record, backend, journal, run_id)
            journal.append(run_id, "run_resume", from_step=STEP_NAMES[start])
        else:
            start = 0
            backend.claim(run_id)  # before it creates anything: whose its files are
            journal.append(
                run_id,
                "run_start",
                target=config.target.name,
                owner=ownership.target_key(config),
                backend=config.backend,
                source=redact_dsn(config.source.dsn),
                strict=config.temp_server.strict,
            )
        record = journal.read(run_id)
        ctx = RunContext(config, backend, journal, run_id, env, record, show_progress)
        ctx.databases = databases
        ctx.target_login = login
        ctx.warnings += left
        ctx.dead_swaps += dead_swaps
        ctx.seed = finalize.masking_seed(config.rules.seed_file)
        reporter.run_started(run_id, bool(resume))
        result = _execute(ctx, start, reporter)
    if notify is not None:
        _notify(notify, result, config, journal)
    return result


def _notify(
    notify: Callable[[RunResult, Config], str | None],
    result: RunResult,
    config: Config,
    journal: Journal,
) -> None:
    """Send the notification; its failure (returned, or raised) is journaled and never
    changes the run's outcome or exit code (it is over)."""
    try:
        problem = notify(result, config)
    except Exception as exc:  # a notifier's bug: still not the run's failure
        problem = f"notification failed: {type(exc).__name__}"
    if problem:
        with contextlib.suppress(InfraError):
            journal.append(result.run_id, "notify_failed", error=problem)


def _resume_point(record: RunRecord, backend: Backend, journal: Journal, run_id: str) -> int:
    first = next((i for i, n in enumerate(STEP_NAMES) if not record.done(n)), len(STEP_NAMES))
    if first == len(STEP_NAMES):
        return first
    restart_name = STEPS[first].restart_at or STEP_NAMES[first]
    restart = STEP_NAMES.index(restart_name)
    if restart == 0:
        backend.discard(run_id)  # which forgets run_id's owner marker, nothing being left:
        backend.claim(run_id)  # the run goes on, its files must be marked as this target's
    journal.append(run_id, "step_reset", steps=list(STEP_NAMES[restart:]))
    return restart


def _execute(ctx: RunContext, start: int, reporter: Reporter) -> RunResult:
    """The steps in order. Aborts (SIGTERM, Ctrl-C) are raised only inside a step's own
    work; one arriving in the bookkeeping around it waits for the next step to start,
    so none can fall between a step's failure and its compensation (it would skip the
    rollback). One arriving once the last step is journaled changes nothing."""
    mono = ctx.env.monotonic
    with interrupts.held():
        for index in range(start, len(STEPS)):
            step = STEPS[index]
            began = mono()
            try:  # from the journal line on: a signal or a journal that cannot be written
                # (state_dir full or read-only) anywhere here is compensated
                ctx.journal.append(ctx.run_id, "step_start", step=step.name)
                reporter.step_started(index, step)
                with interrupts.interruptible():
                    data = step.run(ctx)
                if ctx.warnings:  # (journaled with the step: the run's warnings)
                    data = {**data, "warnings": [*data.get("warnings", []), *ctx.warnings]}
                    ctx.warnings = []
                if ctx.dead_swaps:
                    data = {**data, "dead_swaps": ctx.dead_swaps}
                    ctx.dead_swaps = []
                seconds = mono() - began
                ctx.journal.append(
                    ctx.run_id, "step_done", step=step.name, seconds=seconds, data=data
                )
                ctx.record = ctx.journal.read(ctx.run_id)
                if index == len(STEPS) - 1:
                    ctx.journal.append(ctx.run_id, "run_done")
                reporter.step_done(index, step, seconds, data)
            except BaseException as exc:
                report = functools.partial(reporter.step_failed, index, step)
                error = failing.end_failed_step(ctx, index, exc, began, report)
                ctx.record = ctx.journal.read(ctx.run_id)
                if error is None:  # the refresh is done; clean-up incomplete is a warning
                    break
                return RunResult(ctx.run_id, False, ctx.record, error, _durations(ctx.record))
    ctx.record = ctx.journal.read(ctx.run_id)
    return RunResult(ctx.run_id, True, ctx.record, None, _durations(ctx.record))


def _durations(record: RunRecord) -> dict[str, float]:
    return {n: s.seconds for n, s in record.steps.items() if s.seconds is not None}


def rollback(config: Config, *, env: Env | None = None, run_id: str | None = None) -> str:
    """Bring back staging's previous data (the newest kept, or that of `run_id`)."""
    env = env or Env()
    backend = load_backend(config)
    firstrun.require_staging(config, "rollback")  # a typo path would take the kept copy
    journal = Journal(config.state_dir, env.clock)
    with _lock(config, env, run_id or "", "rollback"):
        ownership.adopt(journal, config, backend)  # copies an older version kept unmarked
        kept = backend.target.previous_runs()
        if run_id is None:
            if not kept:
                raise UsageError("no previous staging data is kept: nothing to roll back to")
            run_id = kept[-1]
        had_kept = backend.target.can_roll_back(run_id)
        _journal_rollback_start(journal, run_id, "on demand")
        try:
            with _serving_on_abort(backend):
                backend.target.rollback(run_id)
                _journal_rolled_back(journal, run_id, "on demand")
        except BaseException as exc:
            raise _interrupted_rollback(exc, backend, journal, run_id, had_kept) from None
    return run_id


def _journal_rolled_back(journal: Journal, run_id: str, reason: str) -> None:
    """Say in run_id's journal (if it has one, once) that staging was rolled back."""
    if not journal.exists(run_id):
        return
    record = journal.read(run_id)
    if record.rolling_back or not record.rolled_back:
        journal.append(run_id, "rolled_back", reason=reason)


def _journal_rollback_start(journal: Journal, run_id: str, reason: str) -> None:
    """Say in run_id's journal, before anything moves, that a rollback of it begins: a
    SIGKILL midway then shows in `status`, which showed the run as before it (`done`)
    with staging possibly stopped or on either data."""
    if journal.exists(run_id):
        journal.append(run_id, "rollback_start", reason=reason)


def _journal_rollback_ended(journal: Journal, run_id: str, error: str) -> None:
    """A rollback that did not put the kept data in place: it is over (not interrupted)."""
    if journal.exists(run_id):
        with contextlib.suppress(InfraError):
            journal.append(run_id, "rollback_ended", error=error)


def _kept_data_in_place(backend: Backend, run_id: str, had_kept: bool) -> bool:
    """After a rollback that raised (an abort, a failed start): whether it had put
    run_id's kept data in place of staging's, which then serves it (or will)."""
    return had_kept and not backend.target.can_roll_back(run_id)


def _interrupted_rollback(
    exc: BaseException, backend: Backend, journal: Journal, run_id: str, had_kept: bool
) -> BaseException:
    """The error of a rollback cut short, saying what staging serves now. A SIGTERM
    landing once the kept data was in place (while staging started) ended with just
    "terminated by signal SIGTERM" and a journal still saying the run was in place,
    though staging served the data from before it."""
    done = _kept_data_in_place(backend, run_id, had_kept)
    if done:
        with contextlib.suppress(InfraError):
            _journal_rolled_back(journal, run_id, "on demand (interrupted)")
    else:
        _journal_rollback_ended(journal, run_id, first_line(exc))
    if not isinstance(exc, Exception | KeyboardInterrupt):
        return exc  # SystemExit and the like: as they are
    if not had_kept:
        return exc  # nothing was kept to roll back to: the error says it
    serving = _serving(backend)
    if done:
        what = (
            f"the rollback of run {run_id} was done: staging "
            f"{'serves' if serving else 'holds (not running)'} the data it had before "
            f"run {run_id}"
        )
    else:
        what = (
            f"the rollback of run {run_id} did not happen: staging "
            f"{'serves what it served before' if serving else 'is not running'}, and the "
            f"data from before run {run_id} is still kept (`dbrefresh rollback` again)"
        )
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted(f"interrupted (Ctrl-C); {what}")
    text = f"{exc}; {what}"
    return type(exc)(text) if isinstance(exc, DbrefreshError) else InfraError(text)


@contextlib.contextmanager
def _serving_on_abort(backend: Backend) -> Iterator[None]:
    """A rollback or cleanup aborted midway (SIGTERM between two renames: staging
    stopped, or its data renamed to .failed) still ends with staging serving whole data;
    the original error is raised (exit 3). Repeated signals are ignored meanwhile
    (cli/signals.py)."""
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(Exception):
            backend.target.ensure_serving()
        if isinstance(exc, Exception) and not _serving(backend):
            text = (
                f"STAGING IS DOWN: it could not be started again ({first_line(exc)}). Fix "
                f"the cause, then run `dbrefresh cleanup` (it serves staging's whole data "
                f"again): {exc}"
            )
            # an abort keeps its own type (exit 130 for Ctrl-C)
            raise (type(exc)(text) if isinstance(exc, Aborted) else InfraError(text)) from None
        raise


def _serving(backend: Backend) -> bool:
    try:
        return backend.target.is_serving()
    except Exception:
        return False


@dataclass
class CleanupReport:
    runs: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)  # a later run's data serves
    started: bool = False  # staging was not serving: cleanup started it
    replaced: str = ""  # what served in place of a staging directory that was not whole
    settled: list[str] = field(default_factory=list)  # rollbacks a kill had cut short
    left_alone: list[str] = field(default_factory=list)  # another target's (or unknown)


def _settle_rollbacks(journal: Journal, backend: Backend, runs: list[str]) -> list[str]:
    """Rollbacks a SIGKILL cut short (begun in the journal, never ended), once staging
    serves whole data again: where each stood, in its journal (status then stops naming
    it) and for the user. The kept copy gone means it had been put in place."""
    out = []
    for record in map(journal.read, runs):
        if not record.rolling_back:
            continue
        run_id = record.run_id
        if backend.target.can_roll_back(run_id):
            journal.append(run_id, "rollback_ended", error="interrupted (cleanup)")
            out.append(
                f"the rollback of run {run_id} had been cut short before it happened: staging "
                f"serves what it served before; the data from before run {run_id} is still "
                f"kept (`dbrefresh rollback --run {run_id}`)"
            )
        else:
            journal.append(run_id, "rolled_back", reason="cleanup (interrupted rollback)")
            out.append(
                f"the rollback of run {run_id} had been cut short once done: staging serves "
                f"the data it had before run {run_id}"
            )
    return out


def _left_alone(journal: Journal, config: Config, backend: Backend) -> list[str]:
    """What cleanup found and did not touch: another target's dead or live runs in a
    shared state_dir, files in a shared work_dir or beside staging that are another
    target's or cannot be told apart from one's."""
    _own, others = ownership.split(journal, config)
    out = [
        f"run {run_id} ({whose}; its own cleanup decides)"
        for run_id, whose in others.items()
        if not journal.read(run_id).finished
    ]
    out += [f"{item.kind} {item.location} ({item.owner})" for item in backend.left_alone()]
    return out


def cleanup(config: Config, *, env: Env | None = None) -> CleanupReport:
    """Remove whatever dead runs left; staging ends serving whole data, old or new."""
    env = env or Env()
    backend = load_backend(config)
    firstrun.require_staging(config, "cleanup")  # a typo path would take the kept copy
    journal = Journal(config.state_dir, env.clock)
    report = CleanupReport()
    with _lock(config, env, "", "cleanup"), _serving_on_abort(backend):
        own = [record.run_id for record in ownership.adopt(journal, config, backend)]
        # newest first: swaps are undone in the reverse order they were made
        for run_id in reversed(own):
            record = journal.read(run_id)
            if record.finished:
                continue
            undo = deadruns.undo(journal, record)
            if undo == deadruns.SUPERSEDED:
                report.superseded.append(run_id)
            elif undo == deadruns.ROLLBACK and backend.target.can_roll_back(run_id):
                _journal_rollback_start(journal, run_id, "cleanup")
                try:
                    backend.target.rollback(run_id)
                    _journal_rolled_back(journal, run_id, "cleanup")
                except BaseException as exc:
                    if _kept_data_in_place(backend, run_id, True):  # an abort in its start
                        with contextlib.suppress(InfraError):
                            _journal_rolled_back(journal, run_id, "cleanup (interrupted)")
                    else:
                        _journal_rollback_ended(journal, run_id, first_line(exc))
                    raise
                report.rolled_back.append(run_id)
            backend.discard(record.run_id)
            journal.append(record.run_id, "run_cleaned")
            report.runs.append(record.run_id)
        for left in backend.leftovers():  # this target's only (directories may be shared)
            backend.discard(left.run_id)
            report.removed.append(f"{left.kind} {left.location}")
        report.left_alone = _left_alone(journal, config, backend)
        report.started = not backend.target.is_serving()
        report.replaced = backend.target.ensure_serving()
        report.settled = _settle_rollbacks(journal, backend, own)
        keep = backend.target.previous_runs()[-config.retention.keep_previous :]
        backend.target.prune(keep)
    return report
