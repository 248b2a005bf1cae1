"""keep: the column is not rewritten (ids, timestamps, non-personal data).

`reviewed` records why a kept column holds no one's data after all, where its values
look personal (support agents' work addresses, companies' public names): verify's
check of kept columns whose values look personal (anonymize/verify_drift.py) passes it
over, instead of warning of it on every run. It changes nothing in the SQL.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from sqlglot import exp

from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register


class KeepParams(StrategyParams):
    """keep's one optional parameter: why a column that looks personal is kept."""

    # the schema says what the validator accepts: text with a non-space, no null
    reviewed: str | SkipJsonSchema[None] = Field(None, json_schema_extra={"pattern": r"\S"})
    """Why this kept column identifies no one although its values look personal ("agents'
    work addresses, public on the website"): `dbrefresh verify` no longer warns that its
    values look personal (kept-looks-personal). `rules init` never writes it."""

    @field_validator("reviewed", mode="before")
    @classmethod
    def _a_reason(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                "`reviewed` needs the reason this kept column identifies no one, as text "
                '(reviewed: "agents\' work addresses, public on the website")'
            )
        return value


@register
class Keep(Strategy[KeepParams]):
    name = "keep"
    summary = "Keep the original value (the column is not rewritten)."
    params_model = KeepParams
    lossy = False
    leak_checked = False
    keeps_value = True

    def compile(self, params: KeepParams, ctx: ColumnContext) -> exp.Expression:
        return ctx.ref
