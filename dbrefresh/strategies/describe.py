"""Strategies as documentation data, read from the registry (for `dbrefresh strategies`)."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from dbrefresh.strategies.registry import all_strategies


def type_name(annotation: Any) -> str:
    """A parameter's type as a user writes it: `day|week|month | None`, not `Optional`."""
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is type(None):
        return "None"
    if origin is Annotated:  # SkipJsonSchema[None]: None, as the schema does not say
        return type_name(args[0])
    if origin is Literal:
        return "|".join(str(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"list[{type_name(args[0])}]"  # as YAML writes it
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if "strategy" not in annotation.model_fields:
            return "mapping"  # another strategy's parameters (vcard's email)
        return "strategy"  # a nested rule: a strategy name or {strategy: ..., ...}
    if origin is not None and args:
        return (
            f"{getattr(origin, '__name__', str(origin))}[{', '.join(type_name(a) for a in args)}]"
        )
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def describe_strategies() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for strategy in all_strategies():
        name = strategy.name
        params = []
        for pname, field in strategy.params_model.model_fields.items():
            given = None if field.is_required() else field.get_default(call_default_factory=True)
            default = _shown(given)  # a default_factory's too (`elements: {}`, not None)
            params.append(
                {
                    "name": pname,
                    "type": type_name(field.annotation),
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


def _shown(default: Any) -> Any:
    """A default as a rule would write it: a list, a nested rule's strategy name."""
    if isinstance(default, tuple):
        return list(default)
    if isinstance(default, BaseModel) and hasattr(default, "strategy"):
        return default.strategy
    if isinstance(default, BaseModel):
        return str(default.model_dump(exclude_defaults=True))
    return default
