"""Why two sides of a foreign key would be masked differently, in the user's terms."""

from __future__ import annotations

from typing import Protocol

from dbrefresh.rules.model import ColumnRule
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.sqlbuild import ignores_case


class Masked(Protocol):
    """A key column's rule and what the strategy knows of it (the compiler's)."""

    @property
    def rule(self) -> ColumnRule: ...
    @property
    def ctx(self) -> ColumnContext: ...


# A key column: its qualified name, and how it is masked (None: kept).
Side = tuple[str, Masked | None]


def fk_mismatch(here: Side, there: Side) -> tuple[str, str]:
    """(message, hint) for a key whose two columns' masked values would differ.

    The same rule on both sides can still differ when one column compares values
    case-insensitively (citext, or a nondeterministic ICU collation) and the other does
    not: such values are masked by their lower-case form, so 'Ann' and 'ann' stay
    equal, and a case-sensitive column holding both must not be.
    """
    left, right = (f"{name} ({m.rule.strategy if m else 'kept'})" for name, m in (here, there))
    cause, hint = "are masked differently", "give both columns the same strategy and parameters"
    a, b = here[1], there[1]
    if a and b and (a.rule.strategy, a.rule.params) == (b.rule.strategy, b.rule.params):
        folding = [_how(m.ctx) for m in (a, b) if ignores_case(m.ctx.type)]
        if len(folding) == 1:
            cause = (
                f"are masked differently by the same rule: one side is {folding[0]}, "
                "which ignores case, the other is not"
            )
            hint = (
                "give both columns one type and collation (both ignoring case, or both "
                "case-sensitive), or keep both"
            )
    return f"{left} and {right} {cause}, so the key would no longer match", hint


def _how(ctx: ColumnContext) -> str:
    collation = ctx.type.nondeterministic_collation
    return f"{ctx.type.sql} COLLATE {collation}" if collation else ctx.type.sql
