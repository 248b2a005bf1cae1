"""What the refresh workflow needs from a backend, as four small protocols.

A backend is where disks and temporary servers live (local directories and pg_ctl,
GCE disks, Kubernetes pods and volumes). The workflow talks to it only through these
protocols, so every backend slots into the same eleven steps. Every method is keyed
by the run id and idempotent: a resumed or cleaned-up run calls it again from
scratch, with no memory of the process that died, and it must converge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class SnapshotRef:
    """A crash-consistent copy of production's data (GCE snapshot, local backup dir)."""

    id: str
    location: str


@dataclass(frozen=True)
class CloneRef:
    """A writable disk made from a snapshot, which the temporary server runs on."""

    id: str
    location: str
    pg_version: str = ""


@dataclass(frozen=True)
class Leftover:
    """Something a run created that still exists (for `cleanup` and the fault tests)."""

    run_id: str
    kind: str  # snapshot | clone | temp_server | previous_target | ...
    location: str
    owner: str = ""  # "": this target's; else whose it is (left alone)


@dataclass
class TempServerSpec:
    """How the temporary server must run (DESIGN.md step 3)."""

    settings: dict[str, str] = field(default_factory=dict)
    replication: bool = False  # strict mode copies the clone with pg_basebackup
    timeout: int = 300


class Source(Protocol):
    """Production: the only call that touches it is `snapshot`."""

    def snapshot(self, run_id: str) -> SnapshotRef: ...

    def delete_snapshot(self, run_id: str) -> None: ...


class Clones(Protocol):
    """Disks made from snapshots, in the target's zone."""

    def create_clone(self, run_id: str, snapshot: SnapshotRef) -> CloneRef: ...

    def delete_clone(self, run_id: str) -> None: ...

    def data_path(self, run_id: str) -> Path | None:
        """Local path of the clone's files when they can be read here (byte search)."""
        ...


class TempServer(Protocol):
    """A throw-away PostgreSQL on a clone, reachable only by dbrefresh."""

    def start(self, run_id: str, clone: CloneRef, spec: TempServerSpec) -> str:
        """Start (or find running) and return the admin DSN (database `postgres`)."""
        ...

    def dsn(self, run_id: str) -> str: ...

    def stop(self, run_id: str, *, immediate: bool = False) -> None:
        """Clean shutdown (or immediate, when discarding) and flush to disk."""
        ...

    def recopy(self, run_id: str) -> None:
        """Strict mode: replace the clone by a fresh pg_basebackup of the running server."""
        ...

    def flush_ahead(self, run_id: str) -> None:
        """The clone's data is final from here: start writing it to durable storage in
        the background, so stop() has less to wait for (nothing to do where it is)."""
        ...

    def is_running(self, run_id: str) -> bool: ...


class Target(Protocol):
    """Staging: backed up, swapped to the clone, rolled back."""

    def dsn(self) -> str: ...

    def backup(self, run_id: str) -> str:
        """Keep the current staging data so `rollback` can bring it back; returns its id."""
        ...

    def swap(self, run_id: str) -> list[str]:
        """Stop staging, put the run's clone in place, start staging; returns warnings
        (what could not be checked before staging was stopped)."""
        ...

    def rollback(self, run_id: str) -> None:
        """Bring back the data staging had before `run_id` swapped, and serve it."""
        ...

    def can_roll_back(self, run_id: str) -> bool: ...

    def check_startable(self) -> None:
        """Refuse (UsageError) a staging that could not start again once stopped (its
        configuration broken since its last start), before anything is copied."""
        ...

    def is_serving(self) -> bool: ...

    def ensure_serving(self) -> str:
        """Whatever state a dead run left, make staging serve whole data (old or new);
        says what it put in place of a directory that was not whole ("" if nothing)."""
        ...

    def prune(self, keep_run_ids: list[str]) -> list[str]:
        """Delete previous-data copies of runs not in keep_run_ids; returns what went."""
        ...

    def previous_runs(self) -> list[str]:
        """Runs whose previous staging data is still kept, oldest first."""
        ...


class Backend(Protocol):
    """One backend = the four roles plus housekeeping over everything it labelled."""

    name: str
    source: Source
    clones: Clones
    temp: TempServer
    target: Target

    def leftovers(self) -> list[Leftover]:
        """Everything this target's runs created that is still there (kept backups
        excluded). Targets may share directories: another target's files are not in it."""
        ...

    def left_alone(self) -> list[Leftover]:
        """Leftovers found that belong to another target, or cannot be told apart from
        another target's (their `owner` says which): never removed."""
        ...

    def claim(self, run_id: str) -> None:
        """Mark run_id as this target's before it creates anything (a new or resumed run)."""
        ...

    def adopt(self, run_id: str) -> None:
        """Mark what is left of run_id, a run of this target's journal, as this target's
        where an older version left it unmarked."""
        ...

    def discard(self, run_id: str) -> None:
        """Remove every temporary thing `run_id` created (not staging, not backups);
        refuses (InfraError) a run of another target."""
        ...
