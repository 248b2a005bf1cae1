"""What a failed masking says: each error once, at the relation that raised it.

Relations tied by foreign keys swap in one transaction (rules/groups.py): one refusal
rolls back the whole group. Filing that error under every relation of the group said
`masking failed for 4 relation(s)` with the same CHECK violation four times, each as
if that relation had raised it. Now the error is said once, at the relation where it
was raised, followed by the relations rolled back with it, not written because of it.

The advice fits the command and the cause: `dbrefresh run` masks a fresh copy of
production on every run, so "run anonymize again" and "re-run to finish" mean nothing
to its user; and a resource PostgreSQL ran short of (SQLSTATE class 53: disk, memory,
connections) fails a re-run the same way until someone makes room, so it is named.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Literal

import psycopg

from dbrefresh.anonymize.refusal import what_to_do_after_refusal
from dbrefresh.errors import DbrefreshError, InfraError, MaskingRefused

Command = Literal["anonymize", "run"]

# Where a swap or chunk was when PostgreSQL raised (the exception travels through the
# job pool as an outcome; its relation is looked up when it is filed).
_RAISED_AT: weakref.WeakKeyDictionary[BaseException, str] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()

# SQLSTATE class 53, insufficient resources: what ran short, and how to make room.
_SHORT = {
    "53100": (
        "disk space",
        "you make room on the disk holding the file named above (each table masking "
        "rewrites is written anew beside the old one until its swap commits)",
    ),
    "53200": ("memory", "you give the server more memory or lower its work_mem"),
    "53300": ("connections", "you raise max_connections or let fewer sessions mask at once"),
    "53400": ("a configured limit", "you raise the limit the error names"),
}


class At:
    """Where work is: a PostgreSQL error raised inside `with at:` is marked as raised at
    `at.relation` (the swap moves it from relation to relation)."""

    def __init__(self, relation: str = "") -> None:
        self.relation = relation

    def __enter__(self) -> At:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, psycopg.Error) and self.relation:
            with _LOCK:
                _RAISED_AT.setdefault(exc, self.relation)


def raised_at(exc: BaseException, relations: list[str]) -> str:
    """The relation of `relations` that raised `exc`: the one PostgreSQL names (a
    constraint's table) or the message alone names, else the one the work was on (At);
    '' when none is known."""
    if isinstance(exc, psycopg.Error) and exc.diag.table_name:
        named = f"{exc.diag.schema_name}.{exc.diag.table_name}"
        if named in relations:
            return named
    said = [r for r in relations if r in str(exc)]  # dbrefresh's own checks name it
    if len(said) == 1:
        return said[0]
    with _LOCK:
        at = _RAISED_AT.get(exc, "")
    return at if at in relations else ""


@dataclass
class Failure:
    """One error, said once: where it was raised and what it held back."""

    relation: str  # the relation that raised it ('' unknown: the whole group did)
    error: str
    refused: bool  # the rules' doing (refusal.refused_by_table): a re-run fails alike
    sqlstate: str = ""
    held_back: list[str] = field(default_factory=list)  # its group's other relations

    def render(self, tag: str = "") -> str:
        if not self.relation:
            return f"{', '.join(sorted(self.held_back))} (one swap transaction){tag}: {self.error}"
        text = f"{self.relation}{tag}: {self.error}"
        if self.held_back:
            text += (
                f"; {', '.join(sorted(self.held_back))} not written because of it (tied "
                "to it by foreign keys, they swap in the same transaction, rolled back)"
            )
        return text


def failure_error(failures: list[Failure], masked: list[str], command: Command) -> DbrefreshError:
    """The error a masking that failed raises: MaskingRefused (exit 2) when every failure
    is the rules' doing, else InfraError (exit 3), each with advice for `command`."""
    ordered = sorted(failures, key=lambda f: (f.relation, sorted(f.held_back)))
    if len(ordered) == 1:
        head = f"masking failed for {ordered[0].render(' (rolled back)')}"
    else:
        head = f"masking failed in {len(ordered)} places, each rolled back: " + "; ".join(
            f.render() for f in ordered
        )
    if all(f.refused for f in ordered):
        return MaskingRefused(
            f"{head}. The table refuses the values these rules produce (a constraint, a "
            "function an index or constraint calls, or the column's type), or PostgreSQL "
            f"cannot run a rule's SQL; a re-run fails the same way: {_refusal(masked, command)}"
        )
    short = [_SHORT[f.sqlstate] for f in ordered if f.sqlstate in _SHORT]
    if short:
        what, remedy = short[0]
        return InfraError(
            f"{head}. PostgreSQL ran short of {what}: a re-run fails the same way until "
            f"{remedy}; then {_again(command)}"
        )
    return InfraError(f"{head}. {_retry(command)}")


def _refusal(masked: list[str], command: Command) -> str:
    if command == "run":
        return (
            "change the rules, then start `dbrefresh run` again (staging is untouched; "
            "each run masks a fresh copy of production)"
        )
    return what_to_do_after_refusal(masked)


def _again(command: Command) -> str:
    if command == "run":
        return "start `dbrefresh run` again (staging is untouched)"
    return "run anonymize again to finish (what is masked stays masked)"


def _retry(command: Command) -> str:
    if command == "run":
        return "Fix the cause, then start `dbrefresh run` again (staging is untouched)"
    return "Re-run anonymize to finish (what is masked stays masked)"
