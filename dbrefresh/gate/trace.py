"""Run the migration on staging as the migration tool would, and measure it.

Where it runs: by default on a throw-away copy of the staging database
(`CREATE DATABASE ... TEMPLATE staging`), dropped afterwards, so staging is unchanged
whatever the migration does and whatever its transaction wrapping is (a rollback could
not undo CREATE INDEX CONCURRENTLY or a multi-script migration). In place, it runs on
staging itself: kept (--keep), or put back by the Refresher's restore. Scripts run with
the wrapping analyze.py found.

What it records per statement: duration; the table locks it took (the session's own
pg_locks after each statement of a transaction, plus a second connection sampling
pg_locks for statements in autocommit); relations rewritten (pg_relation_filenode
changed); and how long its strongest lock that blocks reads or writes was held (from the
statement's start to the end of its transaction). The migration's session runs with
staging's session settings (TimeZone, search_path, database and role settings:
staging_session.py), not the gate machine's.

Freshness: a `Refresher` (wired to the refresh workflow by the CLI) refreshes staging
when its data is older than max_age before the trace, and restores it afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import psycopg
from pglast import ast

from dbrefresh.db import connect
from dbrefresh.errors import first_line
from dbrefresh.gate.analyze import Analysis
from dbrefresh.gate.model import ROW_CHANGES, Blocks, LockMode
from dbrefresh.gate.probe import DEFAULT_LOCK_TIMEOUT, Probes, ProbeStats
from dbrefresh.gate.sandbox import sandbox
from dbrefresh.gate.staging_session import StagingSession, connect_as_staging, read_staging_session
from dbrefresh.gate.versions import syntax_note

Clock = Callable[[], float]
Lock = tuple[str, LockMode]

_OWN_LOCKS = """
SELECT l.relation::regclass::text, l.mode, l.relation::int8 FROM pg_locks l
WHERE l.pid = %s AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
"""
# names do not depend on the migration's search_path: public tables unqualified (as a
# default session names them), others with their schema
_FILENODES = """
SELECT c.oid::int8,
       CASE WHEN n.nspname = 'public' THEN quote_ident(c.relname)
            ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END,
       pg_relation_filenode(c.oid), c.relkind::text,
       coalesce(i.indrelid::text || '/' || c.relname, c.oid::text),
       greatest(c.reltuples, 0)::float8, c.relpages::int8 * current_setting('block_size')::int8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.oid >= 16384 AND c.relkind IN ('r', 'm', 'i', 'p') AND n.nspname <> 'pg_toast'
"""


class Refresher(Protocol):
    """Keeps staging fresh around a trace (the refresh workflow implements it)."""

    def ensure_fresh(self, max_age: timedelta) -> str:
        """Refresh staging if its data is older than max_age; return a note for the report."""
        ...

    def restore(self) -> None:
        """Put staging back as it was before an in-place trace."""
        ...


class UnmanagedStaging:
    """No refresh workflow wired: freshness is not checked and nothing can be restored
    (so traces run on a throw-away copy, or in place with --keep)."""

    def ensure_fresh(self, max_age: timedelta) -> str:
        return "staging freshness not checked (no refresh workflow configured)"

    def restore(self) -> None:
        return None


@dataclass
class StatementTrace:
    index: int
    seconds: float = 0.0
    locks: list[Lock] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    rewritten_size: tuple[float, int] = (0.0, 0)
    """Rows and bytes of the biggest relation rewritten (its statistics before; an
    index has about as many entries as its table has rows)."""
    longest_blocking_hold: float = 0.0
    blocking_lock: Lock | None = None
    error: str | None = None
    probes: ProbeStats = field(default_factory=ProbeStats)
    """Reads and writes of the touched tables that waited because of this statement."""
    rows: int | None = None
    """Rows an UPDATE or DELETE changed (its command tag): what the planner only guessed."""
    released: float = 0.0
    """When its locks were released (its transaction's end; 0: not known)."""


@dataclass
class TraceResult:
    statements: dict[int, StatementTrace]
    total_seconds: float
    copy_seconds: float
    ran_on: str  # "copy" or "staging"
    samples: int = 0
    probed: list[str] = field(default_factory=list)  # tables the probes read and wrote
    probe_timeout: float = DEFAULT_LOCK_TIMEOUT
    probe_problems: list[str] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)  # scripts that ran to their end
    partly: str | None = None  # the failed script, when some of it was committed before
    time_zone: str = ""  # the session TimeZone the migration ran with (staging's)
    settings: dict[str, str] = field(default_factory=dict)  # staging's database/role settings

    @property
    def failed(self) -> StatementTrace | None:
        return next((st for st in self.statements.values() if st.error is not None), None)


class _Sampler(threading.Thread):
    """Polls pg_locks for one backend from its own connection."""

    def __init__(self, dsn: str, pid: int, clock: Clock, interval: float) -> None:
        super().__init__(daemon=True)
        self.conn = connect(dsn, autocommit=True)
        self.pid, self.clock, self.interval = pid, clock, interval
        self.samples: list[tuple[float, set[tuple[str, str, int]]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                rows = self.conn.execute(_OWN_LOCKS, (self.pid,)).fetchall()
                self.samples.append((self.clock(), {(r[0], r[1], r[2]) for r in rows}))
                self.stop.wait(self.interval)
        finally:
            self.conn.close()

    def seen_between(self, start: float, end: float) -> set[tuple[str, str, int]]:
        out: set[tuple[str, str, int]] = set()
        for at, locks in self.samples:
            if start <= at <= end:
                out |= locks
        return out


@dataclass(frozen=True)
class _Rel:
    name: str
    filenode: int
    is_table: bool
    ident: str  # a table's OID; an index's table OID and name: ALTER COLUMN TYPE drops
    # and re-creates an index (new OID) whether it rebuilds it (new file) or not
    rows: float = 0.0  # reltuples
    bytes: int = 0  # relpages' bytes


def _filenodes(conn: psycopg.Connection[Any]) -> dict[int, _Rel]:
    """User relations (tables, matviews, indexes) of the database, as this session sees them."""
    rows = conn.execute(_FILENODES).fetchall()
    return {
        oid: _Rel(name, node, kind in ("r", "m", "p"), ident, tuples, size)
        for oid, name, node, kind, ident, tuples, size in rows
    }


def _rewritten(before: dict[int, _Rel], after: dict[int, _Rel]) -> list[_Rel]:
    """Relations present before and after whose file changed (indexes matched by table
    and name, so a rebuilt index with a new OID is seen)."""
    now = {rel.ident: rel for rel in after.values()}
    return sorted(
        (
            rel
            for rel in before.values()
            if rel.ident in now and now[rel.ident].filenode != rel.filenode
        ),
        key=lambda rel: rel.name,
    )


def _own_locks(conn: psycopg.Connection[Any], pid: int) -> set[tuple[str, str, int]]:
    return {(r[0], r[1], r[2]) for r in conn.execute(_OWN_LOCKS, (pid,)).fetchall()}


@dataclass
class _Tx:
    existing: dict[int, _Rel]  # relations that existed when the transaction began
    held: set[tuple[str, str, int]] = field(default_factory=set)
    # per statement: its trace, start, the locks it took, and the relations that existed
    # when the transaction began, named as they were when the statement started
    taken: list[tuple[StatementTrace, float, set[tuple[str, str, int]], dict[int, _Rel]]] = field(
        default_factory=list
    )

    def named(self, now: dict[int, _Rel]) -> dict[int, _Rel]:
        """Relations that existed when the transaction began, under their current names
        (a table renamed earlier in the transaction is reported by its new name, as the
        statement names it)."""
        return {oid: now.get(oid, rel) for oid, rel in self.existing.items()}


def run_trace(
    dsn: str,
    analysis: Analysis,
    *,
    in_place: bool = False,
    clock: Clock = time.monotonic,
    interval: float = 0.01,
    probe_timeout: float = DEFAULT_LOCK_TIMEOUT,
    session: StagingSession | None = None,
) -> TraceResult:
    """Run every script on a copy of staging (or on staging itself) and measure it,
    while probes (probe.py) try ordinary reads and writes of the tables it touches."""
    # staging's own settings (read from staging when not given): the copy lacks them
    session = session or read_staging_session(dsn)
    with sandbox(dsn, in_place=in_place, clock=clock) as (target, copy_seconds):
        tables = {c.staging_key(t) for c in analysis.statements for t in c.tables}
        probes = Probes(target, tables, clock=clock, timeout=probe_timeout)
        conn = connect_as_staging(target, session, autocommit=True)
        windows: list[tuple[int, float, float]] = []
        try:
            with probes:
                result = _run(
                    conn, target, analysis, clock, interval, copy_seconds, in_place, windows
                )
        finally:
            conn.close()
        holders = {i: (st.released, st.locks) for i, st in result.statements.items() if st.released}
        for index, stats in probes.charge(windows, holders).items():
            result.statements[index].probes = stats
        result.probed = probes.tables
        result.probe_timeout = probe_timeout
        result.time_zone = session.time_zone
        result.settings = session.stored()
        result.probe_problems = probes.problems()
        return result


def _run(
    conn: psycopg.Connection[Any],
    target: str,
    analysis: Analysis,
    clock: Clock,
    interval: float,
    copy_seconds: float,
    in_place: bool,
    windows: list[tuple[int, float, float]],
) -> TraceResult:
    pid = int((conn.execute("SELECT pg_backend_pid()").fetchone() or (0,))[0])
    server = conn.info.server_version
    sampler = _Sampler(target, pid, clock, interval)
    sampler.start()
    traces: dict[int, StatementTrace] = {}
    started = clock()
    by_index = {c.statement.index: c for c in analysis.statements}

    committed: list[str] = []
    partly: list[str] = []

    def result() -> TraceResult:
        where = "staging" if in_place else "copy"
        return TraceResult(
            traces,
            clock() - started,
            copy_seconds,
            where,
            len(sampler.samples),
            committed=list(committed),
            partly=partly[0] if partly else None,
        )

    try:
        for script, mode in zip(analysis.scripts, analysis.modes, strict=True):
            tx: _Tx | None = None
            if mode == "transaction":
                conn.execute("BEGIN")
                tx = _Tx(_filenodes(conn))
            kept = False  # some of this script is committed (autocommit, its own COMMIT)
            for stmt in script.statements:
                c = by_index[stmt.index]
                if mode == "explicit" and isinstance(stmt.node, ast.TransactionStmt):
                    t0 = clock()
                    try:
                        tx = _handle_explicit(conn, stmt.text, tx, clock)
                    except psycopg.Error as exc:  # COMMIT: a deferred constraint refused
                        failed = StatementTrace(stmt.index, clock() - t0, error=_at_commit(exc))
                        traces[stmt.index] = failed
                        windows.append((stmt.index, t0, t0 + failed.seconds))
                        _abort(conn, tx, clock)
                        if kept:
                            partly.append(script.name)
                        return result()
                    kept = kept or stmt.text.lstrip().lower().startswith(("commit", "end"))
                    continue
                st = StatementTrace(stmt.index)
                traces[stmt.index] = st
                before = _filenodes(conn)
                t0 = clock()
                try:
                    cursor = conn.execute(stmt.text)
                except psycopg.Error as exc:
                    st.seconds = clock() - t0
                    windows.append((stmt.index, t0, t0 + st.seconds))
                    st.error = syntax_note(first_line(exc), exc.sqlstate, server)
                    # what it locked before failing (sampled), and the transaction's
                    # earlier statements: their locks were held until this rollback
                    seen = sampler.seen_between(t0, t0 + st.seconds)
                    _taken(st, tx, t0, seen, before, c.lock)
                    _abort(conn, tx, clock)
                    if kept:
                        partly.append(script.name)
                    return result()
                t1 = clock()
                st.seconds = t1 - t0
                if c.kind in ROW_CHANGES and cursor.rowcount >= 0:
                    st.rows = cursor.rowcount
                windows.append((stmt.index, t0, t1))
                after = _filenodes(conn)
                rewritten = _rewritten(before, after)
                st.rewritten = [rel.name for rel in rewritten]
                st.rewritten_size = (
                    max((rel.rows for rel in rewritten), default=0.0),
                    max((rel.bytes for rel in rewritten), default=0),
                )
                seen = sampler.seen_between(t0, t1)
                if tx is not None:
                    seen |= _own_locks(conn, pid)
                else:
                    kept = True
                _taken(st, tx, t0, seen, before, c.lock, t1)
            if tx is not None:
                try:
                    conn.execute("COMMIT")
                except psycopg.Error as exc:  # the wrapping transaction's deferred checks
                    last = traces[script.statements[-1].index]
                    last.error = "at the COMMIT of the script's transaction: " + _at_commit(exc)
                    _abort(conn, tx, clock)
                    return result()
                _close(tx, clock())
            committed.append(script.name)
    finally:
        sampler.stop.set()
        sampler.join()
    return result()


def _taken(
    st: StatementTrace,
    tx: _Tx | None,
    t0: float,
    seen: set[tuple[str, str, int]],
    before: dict[int, _Rel],
    asks: LockMode | None,
    ended: float | None = None,
) -> None:
    """Record the locks a statement took (`seen`: sampled while it ran, and, in a
    transaction, held after it). In a transaction they are held to its end (_close); in
    autocommit until `ended` (None: it failed, they went with it)."""
    if tx is None:
        st.locks = sorted(_locks(seen, before))
        st.released = ended if ended is not None else t0 + st.seconds
        _blocking(st, seen, st.seconds, before)
        return
    new = seen - tx.held
    tx.held |= seen
    names = tx.named(before)
    st.locks = sorted(_locks(new, names))
    # a lock the statement asks for (`asks`: its classified mode) that an earlier one
    # already holds shows no new pg_locks row: a second ALTER TABLE's rewrite runs under
    # the ACCESS EXCLUSIVE it asks for, not under the SHARE its index rebuild adds
    touched = {oid for _, _, oid in new}
    wanted = {
        lk for lk in tx.held if lk[2] in touched and asks is not None and _mode(lk[1]) <= asks
    }
    tx.taken.append((st, t0, new | wanted, names))


def _mode(pg_mode: str) -> LockMode:
    return LockMode.from_pg_locks(pg_mode) or LockMode.ACCESS_SHARE


def _handle_explicit(
    conn: psycopg.Connection[Any], text: str, tx: _Tx | None, clock: Clock
) -> _Tx | None:
    conn.execute(text)
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        return tx or _Tx(_filenodes(conn))
    if tx is not None:
        _close(tx, clock())
    return None


def _at_commit(exc: psycopg.Error) -> str:
    """A COMMIT's error: deferred constraints (Django's foreign keys are DEFERRABLE
    INITIALLY DEFERRED) are checked there, so the statement that broke one ran fine."""
    text = first_line(exc)
    if (exc.sqlstate or "").startswith("23"):  # integrity_constraint_violation
        text += " (a deferred constraint, checked at COMMIT)"
    return text


def _abort(conn: psycopg.Connection[Any], tx: _Tx | None, clock: Clock) -> None:
    """After a failed COMMIT: the transaction is over (rolled back), its locks released."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")
    if tx is not None:
        _close(tx, clock())


def _locks(
    raw: set[tuple[str, str, int]], existing: dict[int, _Rel], *, tables_only: bool = False
) -> list[Lock]:
    """Locks on relations that existed before (named as the migration's session saw them):
    locks on relations the statement itself creates block nobody."""
    out: set[Lock] = set()
    for _, mode, oid in raw:
        lock = LockMode.from_pg_locks(mode)
        rel = existing.get(oid)
        if lock is not None and rel is not None and (rel.is_table or not tables_only):
            out.add((rel.name, lock))
    return list(out)


def _blocking(
    st: StatementTrace,
    raw: set[tuple[str, str, int]],
    held_for: float,
    existing: dict[int, _Rel],
) -> None:
    """Record the strongest lock on a table that blocks reads or writes, and its hold."""
    candidates = sorted(
        lk for lk in _locks(raw, existing, tables_only=True) if lk[1].blocks is not Blocks.NOTHING
    )
    strongest = max(candidates, key=lambda lk: lk[1], default=None)
    if strongest is not None and held_for >= st.longest_blocking_hold:
        st.longest_blocking_hold = held_for
        st.blocking_lock = strongest


def _close(tx: _Tx, ended: float) -> None:
    """Locks taken in a transaction are held until it ends."""
    for st, t0, taken, names in tx.taken:
        _blocking(st, taken, ended - t0, names)
        st.released = ended
