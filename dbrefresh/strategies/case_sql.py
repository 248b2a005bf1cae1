"""What switch, forms and prefixed share: each picks one of its cases' rules per row,
and the whole is lossy, fits, samples and refuses as its cases' rules do.

Each strategy resolves its cases to (key, strategy, parameters), the default last with
key None, and says only what differs: how a row picks a case and what a case's rule
sees. One loop here, so a change to how cases combine reaches all three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from dbrefresh.strategies.base import ColumnContext, Strategy

# (key, strategy, parameters); the default's key is None
Case = tuple[Any, Strategy[Any], Any]


def lossy(cases: Sequence[Case]) -> bool:
    """Lossy when any case's rule is."""
    return any(strategy.is_lossy(sub) for _, strategy, sub in cases)


def reasons(cases: Sequence[Case], ctx_of: Callable[[Any], ColumnContext]) -> list[str]:
    """Why each case's rule does not fit the context ctx_of(key) gives it, labelled
    'default' or 'cases.<key>'."""
    out = []
    for key, strategy, sub in cases:
        label = "default" if key is None else f"cases.{key}"
        out += [f"{label}: {r}" for r in strategy.check(sub, ctx_of(key))]
    return out


def changed_when(
    cases: Sequence[Case],
    picked: Callable[[Any], exp.Expression],
    own: Callable[[Any, Strategy[Any], Any], exp.Expression | None],
) -> exp.Expression:
    """Rows a case changes, picked(key), and that case's rule would sample, own(...):
    rows a `keep` (or a rule not leak-checked) takes are no leaks."""
    parts: list[exp.Expression] = []
    for key, strategy, sub in cases:
        if strategy.keeps_value or not strategy.leak_checked:
            continue
        chosen = picked(key)
        sampled = own(key, strategy, sub)
        parts.append(exp.Paren(this=exp.and_(chosen, sampled) if sampled is not None else chosen))
    return exp.Paren(this=exp.or_(*parts)) if parts else exp.false()


def first_refusal(parts: Sequence[exp.Expression]) -> exp.Expression | None:
    """The first refusal that is not NULL, or None when no case refuses anything."""
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else exp.Coalesce(this=parts[0], expressions=parts[1:])


def case_of(
    cases: Sequence[Case],
    when: Callable[[Any], exp.Expression],
    then: Callable[[Any, Strategy[Any], Any], exp.Expression],
    *,
    this: exp.Expression | None = None,
) -> exp.Case:
    """CASE [this] WHEN when(key) THEN then(case) ... ELSE then(the default case)."""
    *listed, default = cases
    ifs = [exp.If(this=when(key), true=then(key, strategy, sub)) for key, strategy, sub in listed]
    return exp.Case(this=this, ifs=ifs, default=then(*default))
