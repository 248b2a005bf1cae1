"""A strategy inside another strategy's parameters: a jsonb path's, a switch case's.

Written as the strategy's name alone or as {strategy: ..., its parameters}, and
resolved through the registry like a column's rule, so its parameters are validated by
the strategy's own model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from dbrefresh.strategies.base import Strategy, StrategyParams
from dbrefresh.strategies.registry import UnknownStrategyError, get


class NestedRule(BaseModel):
    """A strategy name and its parameters (the extra keys)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    strategy: str

    def resolve_unless(
        self, refused: Callable[[Strategy[Any]], bool], where: str
    ) -> tuple[Strategy[Any], Any]:
        """The strategy and its parsed parameters; ValueError (pydantic reports it at
        the rule's key) for an unknown name or a strategy `refused` says cannot be
        used here."""
        try:
            strategy = get(self.strategy)
        except UnknownStrategyError as err:
            raise ValueError(str(err)) from None
        if refused(strategy) or strategy.reads_masked_row:  # (only a column's own rule)
            raise ValueError(f"{self.strategy} cannot {where}")
        return strategy, strategy.parse_params(dict(self.model_extra or {}))


def shorthand(value: object) -> object:
    """A bare strategy name as the rule it stands for."""
    return {"strategy": value} if isinstance(value, str) else value


class CaseRulesParams(StrategyParams):
    """Parameters of a strategy choosing among rules (switch, forms, prefixed): `cases`
    (key -> rule) and `default` (a rule), each rule written as a bare strategy name or
    {strategy: ..., its parameters}. Keys are read as text."""

    @field_validator("cases", mode="before", check_fields=False)
    @classmethod
    def _shorthand_cases(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): shorthand(v) for k, v in value.items()}
        return value

    @field_validator("default", mode="before", check_fields=False)
    @classmethod
    def _shorthand_default(cls, value: object) -> object:
        return shorthand(value)
