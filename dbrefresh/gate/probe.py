"""Probe traffic during a trace: would ordinary reads and writes of the tables wait?

Two connections to the database the migration runs on (the throw-away copy, by default)
loop over every table the migration touches that existed before it ran, with a short
`lock_timeout`:

- read: `SELECT 1 FROM t LIMIT 1` (ACCESS SHARE, what every SELECT takes);
- write: `BEGIN; LOCK TABLE t IN ROW EXCLUSIVE MODE; ROLLBACK`. ROW EXCLUSIVE is the table
  lock every INSERT, UPDATE, DELETE and MERGE takes first, so this waits exactly when such
  a statement would wait for the table, without needing a valid row (constraints, defaults)
  and without changing data. It does not see row locks (an UPDATE of the same rows) nor
  locks taken only on an index (REINDEX INDEX); both are outside what a table lock tells.

A probe that hits its lock_timeout is *blocked*. Consecutive blocked probes on one table
form an episode, which starts when the first of them began waiting (its end minus the
timeout, i.e. when the server queued it) and ends when the next probe of that table gets
its lock. The episode is charged to the statement running when it started: a lock taken
by an earlier statement of a transaction keeps blocking until COMMIT, and that wait is the
earlier statement's doing, as with `longest_blocking_hold`.

Probes follow a table by its OID, not its name: once the migration renames it (RENAME TO,
SET SCHEMA) and commits, the old name means nothing (or a new table the migration made in
its place), so a probe that finds its name gone looks the table up again and goes on
under the new one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
from psycopg import errors, sql

from dbrefresh.db import connect
from dbrefresh.errors import first_line
from dbrefresh.gate.model import LockMode
from dbrefresh.gate.staging import resolve, search_path

Clock = Callable[[], float]
Kind = Literal["read", "write"]

DEFAULT_LOCK_TIMEOUT = 0.05
"""Seconds a probe waits for its lock before it counts as blocked."""


@dataclass(frozen=True)
class Attempt:
    kind: Kind
    table: str  # the name the probe used (the table's name when it tried)
    started: float
    ended: float
    blocked: bool
    oid: int = 0  # the table, whatever its name


@dataclass
class _Target:
    """A table probed: its OID, and its name as a default session writes it now."""

    oid: int
    name: str


@dataclass(frozen=True)
class Episode:
    """Probes of one kind on one table that kept waiting, from first wait to lock granted."""

    kind: Kind
    table: str
    started: float
    ended: float
    probes: int

    @property
    def seconds(self) -> float:
        return max(0.0, self.ended - self.started)


@dataclass
class ProbeStats:
    """What ordinary traffic saw while (and because) one statement ran."""

    read_probes: int = 0  # probes started while the statement ran
    write_probes: int = 0
    reads_blocked: int = 0  # probes blocked in episodes charged to the statement
    writes_blocked: int = 0
    read_wait: float = 0.0  # longest episode, seconds
    write_wait: float = 0.0
    tables: list[str] = field(default_factory=list)  # tables where something waited
    shadowed: bool = False
    """Probes waited while it ran, on a lock an earlier statement took (charged there):
    traffic did not go on, though none of the wait is this statement's."""

    def add(self, ep: Episode) -> None:
        if ep.kind == "read":
            self.reads_blocked += ep.probes
            self.read_wait = max(self.read_wait, ep.seconds)
        else:
            self.writes_blocked += ep.probes
            self.write_wait = max(self.write_wait, ep.seconds)
        if ep.table not in self.tables:
            self.tables.append(ep.table)


class _Loop(threading.Thread):
    def __init__(
        self, dsn: str, kind: Kind, tables: list[tuple[int, str]], clock: Clock, timeout: float
    ) -> None:
        super().__init__(daemon=True)
        self.kind, self.clock = kind, clock
        self.targets = [_Target(oid, name) for oid, name in tables]
        self.conn = connect(dsn, autocommit=True)
        self.conn.execute(
            sql.SQL("SET lock_timeout = {}").format(sql.Literal(f"{int(timeout * 1000)}ms"))
        )
        self.conn.execute("SET statement_timeout = '5s'")
        self.timeout = timeout
        self.attempts: list[Attempt] = []
        self.errors: dict[str, str] = {}  # table -> first error other than a lock wait
        self.stop = threading.Event()

    def _once(self, target: _Target) -> bool:
        """True when the probe was blocked (lock_timeout)."""
        table = target.name
        ident = sql.SQL(table)  # regclass text: already quoted and qualified as needed
        try:
            if self.kind == "read":
                self.conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(ident))
            else:
                with self.conn.transaction(force_rollback=True):
                    self.conn.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(ident))
        except errors.LockNotAvailable:
            return True
        except errors.UndefinedTable:
            # renamed since the last look (followed on the next round) or dropped
            return False
        except psycopg.Error as exc:
            # e.g. no INSERT/UPDATE/DELETE privilege for LOCK ... ROW EXCLUSIVE: say so,
            # rather than let a probe that cannot wait pass for one that did not
            self.errors.setdefault(table, first_line(exc))
            return False
        return False

    def _follow_renames(self) -> None:
        """Name each table as it is called now: a rename committed by the migration
        moves the probes to the new name (the old one may name nothing, or a new table
        of the migration's)."""
        try:
            rows = self.conn.execute(
                "SELECT c.oid::int8, c.oid::regclass::text FROM pg_class c "
                "WHERE c.oid = ANY(%s::oid[])",
                ([t.oid for t in self.targets],),
            ).fetchall()
        except psycopg.Error:
            return
        names = {int(oid): str(name) for oid, name in rows}
        for target in self.targets:
            target.name = names.get(target.oid, target.name)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._follow_renames()
                for target in self.targets:
                    name, t0 = target.name, self.clock()
                    blocked = self._once(target)
                    self.attempts.append(
                        Attempt(self.kind, name, t0, self.clock(), blocked, target.oid)
                    )
                # a pause so an unblocked probe loop does not saturate the server
                self.stop.wait(0.005)
        finally:
            self.conn.close()


class Probes:
    """Read and write probes on `tables` of `dsn`, running until stopped."""

    def __init__(
        self,
        dsn: str,
        tables: Iterable[tuple[str, str | None]],
        *,
        clock: Clock = time.monotonic,
        timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self.timeout = timeout
        found = _existing(dsn, tables)
        self.tables = [name for _, name in found]  # as staging names them before the run
        self.loops = (
            [_Loop(dsn, k, found, clock, timeout) for k in ("read", "write")] if found else []
        )

    def __enter__(self) -> Probes:
        for loop in self.loops:
            loop.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop.set()
        for loop in self.loops:
            loop.join()

    def problems(self) -> list[str]:
        """'write probe on t failed: ...' for probes that could not measure anything."""
        return [
            f"{loop.kind} probe on {table} failed: {error}"
            for loop in self.loops
            for table, error in loop.errors.items()
        ]

    @property
    def attempts(self) -> list[Attempt]:
        return [a for loop in self.loops for a in loop.attempts]

    def episodes(self) -> list[Episode]:
        """Blocked probes of one kind on one table (by OID, across renames), each episode
        named as its first blocked probe named the table."""
        out: list[Episode] = []
        by_key: dict[tuple[Kind, int], list[Attempt]] = {}
        for a in sorted(self.attempts, key=lambda a: a.started):
            by_key.setdefault((a.kind, a.oid), []).append(a)
        for (kind, _), attempts in by_key.items():
            current: list[Attempt] = []
            for a in attempts:
                if a.blocked:
                    current.append(a)
                    continue
                if current:
                    start = current[0].ended - self.timeout
                    out.append(Episode(kind, current[0].table, start, a.ended, len(current)))
                    current = []
            if current:  # still blocked when the probes stopped
                start = current[0].ended - self.timeout
                end = current[-1].ended
                out.append(Episode(kind, current[0].table, start, end, len(current)))
        return out

    def charge(
        self,
        windows: list[tuple[int, float, float]],
        holders: dict[int, tuple[float, list[tuple[str, LockMode]]]] | None = None,
    ) -> dict[int, ProbeStats]:
        """Per statement (index, start, end of its run, in run order): probes started while
        it ran, and the episodes that began while it or a later one in its shadow ran.
        An episode is charged to the statement whose lock made the probe wait: the first
        one holding (`holders`: index -> when its locks were released, the locks it
        took) a lock on the table that conflicts with the probe, at the time the probe
        began waiting; without one, to the last statement started before the episode
        began. The statements it overlapped otherwise are marked `shadowed`."""
        holders = holders or {}
        stats = {index: ProbeStats() for index, _, _ in windows}
        for a in self.attempts:
            for index, t0, t1 in windows:
                if t0 <= a.started <= t1:
                    if a.kind == "read":
                        stats[index].read_probes += 1
                    else:
                        stats[index].write_probes += 1
        for ep in self.episodes():
            owner = _holder(ep, windows, holders)
            if owner is None:  # the statement running (or last started) when it began
                owner = next((i for i, t0, _ in reversed(windows) if t0 <= ep.started), None)
            if owner is None and windows:
                owner = windows[0][0]  # queued a hair before the first statement's clock
            if owner is not None:
                stats[owner].add(ep)
            for index, t0, t1 in windows:
                if index != owner and ep.started < t1 and ep.ended > t0:
                    stats[index].shadowed = True
        return stats


def _holder(
    ep: Episode,
    windows: list[tuple[int, float, float]],
    holders: dict[int, tuple[float, list[tuple[str, LockMode]]]],
) -> int | None:
    """The first statement holding, when the episode began, a lock on its table that
    conflicts with the probe: ACCESS EXCLUSIVE stops reads, SHARE or stronger writes."""
    weakest = LockMode.ACCESS_EXCLUSIVE if ep.kind == "read" else LockMode.SHARE
    for index, t0, _ in windows:
        released, locks = holders.get(index, (0.0, []))
        if t0 <= ep.started <= released and any(
            table == ep.table and mode >= weakest for table, mode in locks
        ):
            return index
    return None


def _existing(dsn: str, tables: Iterable[tuple[str, str | None]]) -> list[tuple[int, str]]:
    """The tables that exist now (tables the migration creates do not), each resolved
    under the search_path the migration names it with: OID, and regclass text of a
    default session (what the probe connections use)."""
    wanted = sorted(set(tables), key=lambda t: (t[0], t[1] or ""))
    if not wanted:
        return []
    with connect(dsn, autocommit=True) as conn:
        oids: list[int] = []
        for name, path in wanted:
            with search_path(conn, path):
                oid = resolve(conn, name)
            if oid is not None and oid not in oids:
                oids.append(oid)
        found: list[tuple[int, str]] = []
        for oid in oids:
            row: Any = conn.execute(
                "SELECT c.oid::regclass::text FROM pg_class c "
                "WHERE c.oid = %s::oid AND c.relkind IN ('r', 'p')",
                (oid,),
            ).fetchone()
            if row is not None:
                found.append((oid, str(row[0])))
    return found
