"""Tell a table refusing masked values (the rules' doing) from anything else going wrong.

A refusal fails the same way on every re-run, so anonymize says to change the rule
(MaskingRefused, exit 2); anything else (a lost connection, a full disk) exits 3 and a
re-run finishes the job.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from dbrefresh.db import connect
from dbrefresh.rules.relsteps import quote_table

# SQLSTATE classes the same rules and data meet on every run: data exceptions (22), a
# constraint (23), SQL PostgreSQL cannot run (42: an `sql` rule or a delete_where on the
# wrong types; 0A: a feature it lacks for that column), and a function refusing the
# values: RAISE EXCEPTION and ASSERT in PL/pgSQL (P0), a routine's own errors (2F, 38,
# 39), a subquery returning more than one row (21), a trigger's (09, 27), a view's WITH
# CHECK OPTION (44), a program limit (54). Not among them, so exit 3 and "re-run":
# connection loss (08), a cancel or shutdown (57), serialization and deadlock (40),
# lock timeouts (55P03), a full disk or memory (53), I/O (58), internal errors (XX).
_REFUSAL_CLASSES = frozenset(
    {"22", "23", "42", "0A", "P0", "2F", "38", "39", "21", "09", "27", "44", "54"}
)

# "PL/pgSQL function corp_only(text) line 3 at RAISE", "SQL function "f" statement 1"
_FUNCTION = re.compile(r'(?:PL/pgSQL|SQL) function ("[^"]+"|\S+\([^)]*\))')


def refused_by_table(exc: psycopg.Error) -> bool:
    """A failure the same rules meet again on every run, unlike a lost connection
    (_REFUSAL_CLASSES). The generic 22000 is the row-count check (the table changed
    under the run), and 42501 a missing privilege: neither is the rules'."""
    state = exc.sqlstate or ""
    if state in {"22000", "42501"}:
        return False
    return state[:2] in _REFUSAL_CLASSES


def raised_by(dsn: str, relation: str, exc: BaseException) -> str:
    """The function that raised a refusal (from the error's context) and the relation's
    indexes and constraints calling it, as " (...)"; "" when the error names none. A
    function refusing values says "not a corp address", and nothing of where it ran."""
    if not isinstance(exc, psycopg.Error) or not refused_by_table(exc):
        return ""
    found = _FUNCTION.search(exc.diag.context or "")
    if not found:
        return ""
    function = found.group(1)
    users: list[str] = []
    if "(" in function:  # a signature: what in the table calls it
        with connect(dsn) as conn:
            users = _calling(conn, relation, function)
    called = f", called by {', '.join(users)}" if users else ""
    return f" (raised by function {function}{called})"


def _calling(conn: psycopg.Connection[Any], relation: str, function: str) -> list[str]:
    """The relation's indexes and constraints whose expressions call `function`."""
    try:
        rows = conn.execute(
            "SELECT coalesce('constraint ' || quote_ident(c.conname), "
            "'index ' || i.indexrelid::regclass::text) FROM pg_depend d "
            "LEFT JOIN pg_constraint c ON d.classid = 'pg_constraint'::regclass "
            "AND c.oid = d.objid AND c.conrelid = to_regclass(%(rel)s) "
            "LEFT JOIN pg_index i ON d.classid = 'pg_class'::regclass "
            "AND i.indexrelid = d.objid AND i.indrelid = to_regclass(%(rel)s) "
            "WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = to_regprocedure(%(fn)s) "
            "AND (c.oid IS NOT NULL OR i.indexrelid IS NOT NULL) ORDER BY 1",
            {"rel": quote_table(relation), "fn": function},
        ).fetchall()
    except psycopg.Error:  # a signature to_regprocedure cannot parse: name the function
        rows = []
    return [str(r[0]) for r in rows]


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
