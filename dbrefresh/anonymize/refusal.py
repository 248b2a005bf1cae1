"""Tell a table refusing masked values (the rules' doing) from anything else going wrong.

A refusal fails the same way on every re-run, so anonymize says to change the rule
(MaskingRefused, exit 2); anything else (a lost connection, a full disk) exits 3 and a
re-run finishes the job.
"""

from __future__ import annotations

import psycopg


def refused_by_table(exc: psycopg.Error) -> bool:
    """A constraint or a column type refusing masked values (SQLSTATE classes 23 and 22):
    the same rules fail the same way again, unlike a lost connection. The generic 22000
    is the row-count check (the table changed under the run), not the rules."""
    state = exc.sqlstate or ""
    return state.startswith("23") or (state.startswith("22") and state != "22000")


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
