"""The run journal: an append-only JSON-lines file per run, written before and after steps.

`state_dir/runs/<run_id>/journal.jsonl` holds one event per line, flushed and fsynced
before the step it announces runs, so a process killed at any instant leaves a journal
that says exactly which steps completed. `run --resume`, `status` and `cleanup` read it.
Events carry no secrets and no data values: names, durations, locations.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbrefresh.errors import InfraError

Clock = Callable[[], float]

TERMINAL = {"run_done", "run_failed", "run_cleaned"}


@dataclass
class StepRecord:
    name: str
    state: str = "pending"  # pending | running | done | failed
    started: float | None = None
    seconds: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunRecord:
    """A run as its journal tells it."""

    run_id: str
    started: float = 0.0
    target: str = ""
    state: str = "running"  # running | done | failed | cleaned | rolled_back
    steps: dict[str, StepRecord] = field(default_factory=dict)
    error: str | None = None
    failed_step: str | None = None
    ended: float | None = None
    info: dict[str, Any] = field(default_factory=dict)
    rolled_back: bool = False
    rolling_back: bool = False  # a rollback of it began and has not ended (SIGKILL)

    @property
    def owner(self) -> str:
        """The target's identity (workflow/ownership.py); "" in older journals."""
        return str(self.info.get("owner", ""))

    def same_target(self, other: RunRecord) -> bool:
        """Whether both runs refreshed one target (a state_dir may be shared)."""
        if self.owner and other.owner:
            return self.owner == other.owner
        return self.target == other.target

    @property
    def finished(self) -> bool:
        return self.state in {"done", "failed", "cleaned"}

    def step(self, name: str) -> StepRecord:
        return self.steps.setdefault(name, StepRecord(name))

    def warnings(self) -> list[str]:
        """What steps flagged without failing (their data's "warnings"), in step order,
        with the runs found dead during their swap (`dead_swaps`) said as they stand."""
        return [
            text
            for s in self.steps.values()
            for text in [
                *map(self._dead_swap, s.data.get("dead_swaps", [])),
                *map(str, s.data.get("warnings", [])),
            ]
        ]

    def _dead_swap(self, dead: object) -> str:
        """A run found dead during its swap, as this run left it: its data may serve
        staging until this run's swap replaces it (and again if this run is rolled back).
        The warning said "staging may still serve its data" after this run had swapped."""
        if self.done("swap") and not self.rolled_back:
            return (
                f"run {dead} had died during its swap; this run's swap has replaced its data "
                "in staging since; the next run or `dbrefresh cleanup` removes what it left"
            )
        return (
            f"run {dead} died during its swap: staging may still serve its data, not "
            "health-checked; `dbrefresh cleanup` rolls it back and removes what it left"
        )

    def done(self, name: str) -> bool:
        return name in self.steps and self.steps[name].state == "done"

    def started_step(self, name: str) -> bool:
        return name in self.steps and self.steps[name].state != "pending"

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "target": self.target,
            "state": self.state,
            "started": self.started,
            "ended": self.ended,
            "failed_step": self.failed_step,
            "error": self.error,
            "rolled_back": self.rolled_back,
            "steps": [
                {
                    "name": s.name,
                    "state": s.state,
                    "seconds": s.seconds,
                    **({"error": s.error} if s.error else {}),
                    **({"data": s.data} if s.data else {}),
                }
                for s in self.steps.values()
            ],
        }


class Journal:
    """Journals of every run under one state directory."""

    def __init__(self, state_dir: Path, clock: Clock) -> None:
        self.root = state_dir / "runs"
        self.clock = clock

    def path(self, run_id: str) -> Path:
        return self.root / run_id / "journal.jsonl"

    def append(self, run_id: str, event: str, **data: Any) -> None:
        """Append one event, durably; a state_dir that cannot take it (full, read-only)
        is an infrastructure error naming the file, not a traceback."""
        path = self.path(run_id)
        line = json.dumps({"ts": self.clock(), "event": event, **data}, default=str)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise InfraError(
                f"cannot write the run journal {path}: {exc.strerror or exc} (state_dir)"
            ) from None

    def exists(self, run_id: str) -> bool:
        return self.path(run_id).exists()

    def events(self, run_id: str) -> Iterator[dict[str, Any]]:
        with self.path(run_id).open(encoding="utf-8") as fh:
            for raw in fh:
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    yield json.loads(raw)
                except json.JSONDecodeError:
                    continue  # a torn last line from a kill mid-write

    def read(self, run_id: str) -> RunRecord:
        record = RunRecord(run_id)
        for ev in self.events(run_id):
            kind, ts = ev.get("event"), float(ev.get("ts", 0))
            if kind == "run_start":
                record.started, record.target = ts, str(ev.get("target", ""))
                record.info = {k: v for k, v in ev.items() if k not in {"ts", "event"}}
            elif kind == "step_start":
                step = record.step(ev["step"])
                step.state, step.started, step.error = "running", ts, None
            elif kind == "step_done":
                step = record.step(ev["step"])
                step.state, step.seconds = "done", float(ev.get("seconds", 0))
                step.data = dict(ev.get("data") or {})
            elif kind == "step_failed":
                step = record.step(ev["step"])
                step.state, step.error = "failed", ev.get("error")
                step.seconds = float(ev.get("seconds", 0))
                record.failed_step, record.error = ev["step"], ev.get("error")
            elif kind == "step_reset":
                for name in ev.get("steps", []):
                    record.steps.pop(name, None)
            elif kind == "run_resume":
                record.state, record.error, record.failed_step = "running", None, None
            elif kind == "rolled_back":
                record.rolled_back, record.rolling_back = True, False
            elif kind == "rollback_start":
                record.rolling_back = True
            elif kind == "rollback_ended":
                record.rolling_back = False
            elif kind in TERMINAL:
                record.state = {"run_done": "done", "run_failed": "failed"}.get(kind, "cleaned")
                record.ended = ts
                if kind == "run_failed":
                    record.error = ev.get("error", record.error)
                    record.failed_step = ev.get("step", record.failed_step)
        return record

    def run_ids(self) -> list[str]:
        """Every run, oldest first (by when it began, see runs())."""
        return [record.run_id for record in self.runs()]

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first: by its run_start line (written under the target's
        lock), then its id. Run ids order only to the second, then by a random suffix:
        a run that waited within that second for an earlier run's lock could sort first,
        and `cleanup` undid two dead runs' swaps in the wrong order (staging left on the
        older run's data, never health-checked)."""
        if not self.root.exists():
            return []
        records = [self.read(p.parent.name) for p in self.root.glob("*/journal.jsonl")]
        return sorted(records, key=lambda record: (record.started, record.run_id))

    def superseded_by(self, run_id: str) -> str | None:
        """The first later run that swapped its own data into staging (and was not rolled
        back): run_id's data, or the older snapshot it holds, is then no longer staging's
        to serve. Rolling run_id back, or resuming it, would throw the later run's data
        away (a run killed at its health check, then a successful run, then `cleanup`
        did; a killed run resumed after a later one swapped the older snapshot in).
        Later by the journals' start times: run ids sort by start time only to the second
        (a run killed at once and the next run can share it). Only runs of run_id's own
        target count: another target sharing the state_dir swaps other data."""
        base = self.read(run_id)
        began = base.started
        later = sorted(
            (record.started, record.run_id)
            for record in self.runs()
            if record.run_id != run_id
            and record.same_target(base)  # another target's swap changed other data
            and record.started > began
            and record.started_step("swap")
            and not record.rolled_back
        )
        return later[0][1] if later else None
