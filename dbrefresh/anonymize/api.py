"""The library entry points the CLI and the refresh workflow call.

Each takes the DSN of ONE database and the rule files covering it.
(Being filled in: signatures are stable, bodies land with issue 2.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbrefresh.findings import Finding


@dataclass
class TableResult:
    table: str
    action: str  # rewrite | truncate | delete | keep
    rows_before: int
    rows_after: int
    seconds: float


@dataclass
class AnonymizeReport:
    database: str
    tables: list[TableResult] = field(default_factory=list)
    seconds: float = 0.0


def mark_clone(dsn: str, *, run_id: str | None = None, source: str | None = None) -> None:
    """Write dbrefresh.clone_marker into the database (anonymize refuses without it)."""
    raise NotImplementedError


def anonymize(
    dsn: str, rule_files: Sequence[Path], *, seed: str | None = None, progress: bool = True
) -> AnonymizeReport:
    """Compile rules against the live catalog and rewrite the database in place.

    Raises RulesError (exit 2) before touching anything when rules do not fit,
    NotACloneError (exit 2) when the clone marker is missing.
    """
    raise NotImplementedError


def verify(dsn: str, rule_files: Sequence[Path], *, seed: str | None = None) -> list[Finding]:
    """Coverage, leaks, constraints and row counts; an empty list means clean."""
    raise NotImplementedError
