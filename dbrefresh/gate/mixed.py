"""A statement that cannot run in a transaction, sharing its script with other statements.

Under `--wrap script` the sequence (analyze.py) assumes the tool runs such a script
statement by statement in autocommit, as psql does. Most tools do not: golang-migrate
sends the file as one multi-statement query (PostgreSQL runs it as one implicit
transaction), Django (atomic migrations), Rails (without disable_ddl_transaction!) and
Flyway (without mixed=true) wrap it in a transaction. There PostgreSQL refuses CREATE
INDEX CONCURRENTLY & co. and the deploy fails, so the user is told to run this file
outside a transaction. Advisory: the gate cannot know which tool runs it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dbrefresh.gate.model import Classified, Hit
from dbrefresh.gate.rules import is_suppressed

RULE = "non-transactional-with-others"


def _scripts(statements: Sequence[Classified]) -> list[list[Classified]]:
    """Statements grouped by script, in order (a script is one file, or one marker part)."""
    groups: dict[tuple[str, str], list[Classified]] = {}
    for c in statements:
        groups.setdefault((c.statement.file, c.statement.script), []).append(c)
    return list(groups.values())


def mixed_scripts(
    statements: Sequence[Classified], wrap: str, declared: Collection[tuple[str, str]] = ()
) -> None:
    """Add the advisory hit to the first non-transactional statement of each script that
    holds other statements too (once per script). Statements already inside the
    migration's own BEGIN are `cannot-run-in-transaction` errors, not repeated here.
    `declared`: (file, script) whose file says how the tool runs it (a Liquibase
    changeset with runInTransaction:false): nothing to assume."""
    if wrap != "script":
        return  # --wrap none: the user says the tool runs statements one by one
    for script in _scripts(statements):
        key = (script[0].statement.file, script[0].statement.script)
        if len(script) < 2 or key in declared:
            continue
        alone = [c for c in script if not c.transactional and not c.in_transaction]
        if not alone:
            continue
        first = alone[0]
        others = len(script) - 1
        hit = Hit(
            RULE,
            f"{first.kind} shares its script with {others} other "
            f"statement{'s' if others > 1 else ''}",
            tuple(first.tables),
        )
        if not is_suppressed(hit.rule, first.statement.suppressed):
            first.hits.append(hit)
