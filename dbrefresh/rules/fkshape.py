"""Why two sides of a foreign key would be masked differently, in the user's terms."""

from __future__ import annotations

from typing import Protocol

from dbrefresh.rules.model import ColumnRule
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.sqlbuild import CASE_INSENSITIVE_TYPES


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

    The same rule on both sides can still differ when one type compares values
    case-insensitively (citext) and the other does not: citext values are masked by
    their lower-case form, so 'Ann' and 'ann' stay equal, and a text column holding
    both must not be.
    """
    left, right = (f"{name} ({m.rule.strategy if m else 'kept'})" for name, m in (here, there))
    cause, hint = "are masked differently", "give both columns the same strategy and parameters"
    a, b = here[1], there[1]
    if a and b and (a.rule.strategy, a.rule.params) == (b.rule.strategy, b.rule.params):
        folding = [m.ctx.type.sql for m in (a, b) if m.ctx.type.base in CASE_INSENSITIVE_TYPES]
        if len(folding) == 1:
            cause = (
                f"are masked differently by the same rule: one side is {folding[0]}, "
                "which ignores case, the other is not"
            )
            hint = "give both columns one type (both citext, or both case-sensitive), or keep both"
    return f"{left} and {right} {cause}, so the key would no longer match", hint
