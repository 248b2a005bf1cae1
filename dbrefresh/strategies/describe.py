"""Strategies as documentation data, read from the registry (for `dbrefresh strategies`)."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticUndefined

from dbrefresh.strategies.registry import all_strategies


def describe_strategies() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for strategy in all_strategies():
        name = strategy.name
        params = []
        for pname, field in strategy.params_model.model_fields.items():
            default = None if field.default is PydanticUndefined else field.default
            annotation = getattr(field.annotation, "__name__", None) or str(field.annotation)
            params.append(
                {
                    "name": pname,
                    "type": annotation.replace("typing.", ""),
                    "required": field.is_required(),
                    "default": default
                    if isinstance(default, str | int | float | bool)
                    else (None if default is None else str(default)),
                    "description": field.description or "",
                }
            )
        out.append(
            {
                "name": name,
                "summary": strategy.summary,
                "lossy": strategy.lossy,
                "leak_checked": strategy.leak_checked,
                "parameters": params,
            }
        )
    return out
