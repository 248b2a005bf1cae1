"""What every step receives: config, backend, journal, clock, and the run's memory.

Time, sleep and randomness come from here (DESIGN: passed in, so tests control them).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbrefresh.backends.base import Backend
from dbrefresh.config import Config
from dbrefresh.db import as_replica, without_limits
from dbrefresh.workflow.journal import Journal, RunRecord
from dbrefresh.workflow.targetlogin import TargetLogin


@dataclass
class Env:
    """The world a run lives in: injectable clock, sleep, randomness and environment."""

    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    environ: dict[str, str] | None = None  # None: os.environ

    def environment(self) -> dict[str, str]:
        return dict(os.environ) if self.environ is None else self.environ


@dataclass
class RunContext:
    config: Config
    backend: Backend
    journal: Journal
    run_id: str
    env: Env
    record: RunRecord
    show_progress: bool = False
    # In memory only, never journaled: original values sampled for the byte search.
    originals: dict[str, list[bytes]] = field(default_factory=dict)
    # Per-database rule files, resolved at preflight.
    databases: dict[str, list[Path]] = field(default_factory=dict)
    seed: str | None = None  # None: the library reads the env variable the rules name
    # In memory only: target.dsn's role and the password libpq used (preflight).
    target_login: TargetLogin | None = None
    # Said with the first step this process runs (e.g. runs that died before this one)
    warnings: list[str] = field(default_factory=list)
    # Likewise: runs that died during their swap (their warning: RunRecord.warnings)
    dead_swaps: list[str] = field(default_factory=list)

    def data(self, step: str) -> dict[str, Any]:
        """What an earlier step recorded in the journal (works across resume)."""
        return self.record.steps[step].data if step in self.record.steps else {}

    def clone_dsn(self) -> str:
        """Admin DSN of the temporary server, for dbrefresh's own work on the clone:
        without the timeouts production may have set on its databases (a VACUUM or a
        masking chunk of a large table outlasts any application's statement_timeout),
        and as a replica (db.as_replica: production's event triggers stay out of it)."""
        return as_replica(without_limits(self.backend.temp.dsn(self.run_id)))
