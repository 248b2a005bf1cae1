"""Progress display for long work: one line per relation, quiet when not on a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class _Display:
    """A rich Progress used as a context manager (shown while the block runs)."""

    _progress: Progress

    def __enter__(self) -> Self:
        self._progress.__enter__()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.__exit__(et, ev, tb)


class TableProgress(_Display):
    """Thread-safe enough for our use: rich's Progress locks internally."""

    def __init__(self, total: int, *, enabled: bool, console: Console | None = None) -> None:
        console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not (enabled and console.is_terminal),
            transient=False,
        )
        self._overall = self._progress.add_task("tables", total=total, stage="")
        self._tasks: dict[str, TaskID] = {}

    def stage(self, relation: str, stage: str) -> None:
        if relation not in self._tasks:
            self._tasks[relation] = self._progress.add_task(relation, total=1, stage=stage)
        self._progress.update(self._tasks[relation], stage=stage)

    def done(self, relation: str, stage: str = "done") -> None:
        self.stage(relation, stage)
        self._progress.update(self._tasks[relation], completed=1)
        self._progress.advance(self._overall)


class CountProgress(_Display):
    """One bar over many small items (rules init's tables): the item at hand beside a
    count, gone when done; quiet when not on a terminal."""

    def __init__(self, what: str, *, console: Console | None = None) -> None:
        console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn(what),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task = self._progress.add_task("", total=None)

    def at(self, item: str, done: int, total: int) -> None:
        self._progress.update(self._task, description=item, completed=done, total=total)
