"""The gate as one function: load, analyze, weigh, trace when heavy, judge.

Parsing happens before any connection is opened: a malformed migration is a UsageError
(file:line, exit 2) and the database is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pglast import ast

from dbrefresh.errors import UsageError
from dbrefresh.gate.alter import default_functions
from dbrefresh.gate.analyze import Analysis, Wrap, analyze
from dbrefresh.gate.calls import called
from dbrefresh.gate.facts import seed_knowledge
from dbrefresh.gate.masking import read_masking
from dbrefresh.gate.model import Script
from dbrefresh.gate.schema import relname, walk
from dbrefresh.gate.split import load
from dbrefresh.gate.staging_session import StagingSession, read_staging_session
from dbrefresh.gate.trace import Clock, Refresher, TraceResult, UnmanagedStaging, run_trace
from dbrefresh.gate.verdict import GateResult, Limits, judge
from dbrefresh.gate.weigh import Sizes, Thresholds, read_sizes


@dataclass(frozen=True)
class GateOptions:
    dsn: str | None = None
    """Staging DSN; without it only the static analysis runs."""
    trace: bool = False
    """Trace even when no statement is heavy."""
    keep: bool = False
    """Apply the migration to staging itself (a trace, even when nothing is heavy) and
    keep the result (default: the trace runs on a throw-away copy)."""
    in_place: bool = False
    """Run the trace on staging itself, then have the Refresher restore it (for staging
    servers where a TEMPLATE copy is impossible: other sessions, no CREATEDB)."""
    max_age: timedelta = timedelta(hours=24)
    """Refresh staging first when its data is older than this (needs a Refresher)."""
    wrap: Wrap = "script"
    """How the migration tool wraps scripts in transactions."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    limits: Limits = field(default_factory=Limits)


def _functions(analysis: Analysis) -> set[str]:
    """Functions called by ADD COLUMN defaults (their volatility decides on a rewrite) and
    by any statement (built in or the application's own: opaque, calls.py)."""
    found: set[str] = set()
    for c in analysis.statements:
        if c.kind == "ALTER TABLE":
            for node in walk(c.statement.node):
                if isinstance(node, ast.ColumnDef):
                    found.update(default_functions(node.constraints))
        found.update(name[-1].lower() for name in called(c.statement.node) if name)
    return found


def _if_not_exists(analysis: Analysis) -> set[tuple[str, str | None]]:
    """Tables of CREATE ... IF NOT EXISTS: whether staging has them decides whether the
    migration creates them (and so whether later statements on them are harmless)."""
    found: set[tuple[str, str | None]] = set()
    for c in analysis.statements:
        node = c.statement.node
        if isinstance(node, ast.CreateStmt) and node.if_not_exists:
            found.add((relname(node.relation), c.search_path))
        elif isinstance(node, ast.CreateTableAsStmt) and node.if_not_exists and node.into:
            found.add((relname(node.into.rel), c.search_path))
    return found


def _opaque(analysis: Analysis) -> bool:
    """A statement whose SQL the analysis cannot see (DO, CALL, EXECUTE, a call of a
    function not built in): only a trace measures what it does."""
    return any(h.rule == "opaque-statement" for c in analysis.statements for h in c.hits)


def _where_note(traced: TraceResult, keep: bool) -> str:
    """Where the trace ran: a copy (and how long copying took) or staging itself, and in
    which session TimeZone and staging settings (search_path: which table and function a
    name means; TimeZone: whether timestamp -> timestamptz rewrites)."""
    stored = "".join(f", {name} '{value}'" for name, value in traced.settings.items())
    zone = f", session TimeZone {traced.time_zone}{stored} (staging's)" if traced.time_zone else ""
    if traced.ran_on == "staging":
        how = "kept" if keep else "restored afterwards"
        where, run = f"traced on staging itself ({how})", "on staging"
    else:
        where = f"traced on a copy of staging (copy took {traced.copy_seconds:.1f}s)"
        run = "on an idle copy"
    # one run without production's traffic: figures vary 2-3x between runs (nearlimit.py)
    return (
        f"{where}, {traced.total_seconds:.2f}s in total{zone}; its lock and time figures "
        f"are one measurement {run}, without production's traffic (runs vary)"
    )


def _kept_note(traced: TraceResult) -> str:
    """After a failed --keep run: what stayed on staging (committed scripts are not
    rolled back by the failure of a later one)."""
    kept = ", ".join(traced.committed) if traced.committed else "no earlier script"
    note = f"--keep: the migration failed on staging; committed and kept there: {kept}"
    if traced.partly:
        note += f"; and part of {traced.partly} (statements before the failure, autocommit)"
    return note


def _read_staging(
    scripts: Sequence[Script], options: GateOptions
) -> tuple[StagingSession, Analysis, Sizes]:
    """Staging's session settings, the analysis in that session (search_path, lock_timeout)
    with staging's catalog facts, and the sizes of the tables touched."""
    assert options.dsn is not None
    # names resolve as in the migration tool's session: from staging's own search_path
    session = read_staging_session(options.dsn)
    start = session.search_path
    bounded = session.lock_timeout.bounds
    analysis = analyze(scripts, wrap=options.wrap, start_path=start, start_timeout=bounded)
    tables = {c.staging_key(t) for c in analysis.statements for t in c.tables}
    tables |= _if_not_exists(analysis)
    functions = _functions(analysis)
    known = seed_knowledge(options.dsn, tables, functions)
    analysis = analyze(
        scripts, wrap=options.wrap, known=known, start_path=start, start_timeout=bounded
    )
    return session, analysis, read_sizes(options.dsn, analysis.statements)


def _session_notes(session: StagingSession) -> list[str]:
    note = session.lock_timeout.note()
    return [note] if note else []


def gate(
    paths: Sequence[str | Path],
    options: GateOptions,
    *,
    refresher: Refresher | None = None,
    clock: Clock = time.monotonic,
) -> GateResult:
    scripts = load(paths)
    analysis = analyze(scripts, wrap=options.wrap)
    if options.dsn is None:
        return judge(
            analysis,
            thresholds=options.thresholds,
            limits=options.limits,
            notes=["no --dsn: sizes unknown, every blocking statement is reported"],
        )
    session, analysis, sizes = _read_staging(scripts, options)
    static = judge(
        analysis,
        sizes=sizes,
        thresholds=options.thresholds,
        limits=options.limits,
        notes=_session_notes(session),
    )
    # --keep asks for the migration applied to staging: that is a trace, heavy or not
    traced_anyway = options.trace or options.keep or _opaque(analysis)
    if not (traced_anyway or static.heavy or static.unknown):
        return static
    if options.in_place and not options.keep and refresher is None:
        raise UsageError("an in-place trace needs a refresh workflow to restore staging")
    notes = [(refresher or UnmanagedStaging()).ensure_fresh(options.max_age)]
    if refresher is not None:
        # it may have refreshed staging (a new data directory: production's database and
        # role settings, catalog and sizes): read again what the trace will run on
        session, analysis, sizes = _read_staging(scripts, options)
    notes += _session_notes(session)
    refresher = refresher or UnmanagedStaging()
    in_place = options.keep or options.in_place
    try:
        traced = run_trace(options.dsn, analysis, in_place=in_place, clock=clock, session=session)
    finally:
        if in_place and not options.keep:
            refresher.restore()
    notes.append(_where_note(traced, options.keep))
    notes += [f"blocked queries not measured: {p}" for p in traced.probe_problems]
    if options.keep and traced.failed is not None:
        notes.append(_kept_note(traced))
    # a failure on masked data is not claimed to happen on production
    masking = read_masking(options.dsn, analysis.statements) if traced.failed else None
    return judge(
        analysis,
        sizes=sizes,
        trace=traced,
        thresholds=options.thresholds,
        limits=options.limits,
        notes=notes,
        masking=masking,
    )
