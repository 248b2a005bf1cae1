"""Tell a table refusing masked values (the rules' doing) from anything else going wrong.

A refusal fails the same way on every re-run, so anonymize says to change the rule
(MaskingRefused, exit 2); anything else (a lost connection, a full disk) exits 3 and a
re-run finishes the job.
"""

from __future__ import annotations

import psycopg


def refused_by_table(exc: psycopg.Error) -> bool:
    """A failure the same rules meet again on every run, unlike a lost connection: a
    constraint or a column type refusing masked values (SQLSTATE classes 23 and 22), or
    SQL PostgreSQL cannot run (class 42: an `sql` rule or a delete_where calling a
    function on the wrong types; 0A: a feature it lacks for that column). The generic
    22000 is the row-count check (the table changed under the run), and 42501 a
    missing privilege: neither is the rules'."""
    state = exc.sqlstate or ""
    if state in {"22000", "42501"}:
        return False
    return state[:2] in {"22", "23", "42", "0A"}


def orphan_hint(exc: BaseException, deleting: list[str]) -> str:
    """What to change when rows deleted by delete_where are still referenced: the
    failure names a key, and the rule to change is a delete_where, not a column's."""
    if not deleting or not isinstance(exc, psycopg.errors.ForeignKeyViolation):
        return ""
    return (
        f" (delete_where on {', '.join(deleting)} removes rows that other rows still "
        "reference through that key: `delete_cascade: true` beside it deletes those too, "
        "or narrow the condition)"
    )


def what_to_do_after_refusal(masked: list[str]) -> str:
    """The way out of a refusal: changed rules have another digest, and a clone holding
    relations masked with these rules refuses them (masking twice breaks joins on masked
    keys), so that re-run needs a fresh clone; with nothing masked yet, this one does."""
    if not masked:
        return "change the rules and run anonymize again"
    return (
        f"change the rules, then run anonymize on a fresh clone: {len(masked)} relation(s) "
        "are already masked with these rules, and this clone refuses other rules"
    )
