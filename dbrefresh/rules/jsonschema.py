"""JSON Schema (draft 2020-12) of rule files, for editors' completion and inline checks.

Generated from the same sources the loader validates with: the pydantic header models
(version, database, defaults, isolate) and each registered strategy's params_model,
so the schema cannot drift from what `rules check` accepts. Checks that need the live
schema (tables, columns, types) or cross-field validators stay the loader's and
compiler's; the schema only helps while typing.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from dbrefresh.rules.model import SHORTHAND_ACTIONS, Header
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.registry import all_strategies

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _strategies() -> list[Strategy[Any]]:
    return sorted(all_strategies(), key=lambda s: s.name)


def _takes_no_params(strategy: Strategy[Any]) -> bool:
    """Whether `column: <name>` alone is a valid rule (no required parameters)."""
    try:
        strategy.parse_params({})
    except ValidationError:
        return False
    return True


def _model_schema(model: type[BaseModel], prefix: str, defs: dict[str, Any]) -> dict[str, Any]:
    """A model's schema with its nested definitions hoisted into `defs` under `prefix`.

    A nested rule (a jsonb path's, a switch case's: an object with `strategy`) may be
    written as the strategy's name alone, as the loader accepts it.
    """
    schema = model.model_json_schema(ref_template=f"#/$defs/{prefix}{{model}}")
    for name, sub in schema.pop("$defs", {}).items():
        if "strategy" in sub.get("properties", {}):
            sub = {
                "description": sub.get("description", ""),
                "anyOf": [
                    {"type": "string", "description": "A strategy name, default parameters."},
                    {key: value for key, value in sub.items() if key != "description"},
                ],
            }
        defs[f"{prefix}{name}"] = sub
    return schema


def _params_schema(strategy: Strategy[Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The strategy's parameters as properties of the column rule itself.

    `additionalProperties` is dropped: `strategy` and `unique` sit beside the
    parameters, and the rule object rejects unknown keys by unevaluatedProperties.
    """
    schema = _model_schema(strategy.params_model, f"{strategy.name}.", defs)
    schema.pop("additionalProperties", None)
    schema.pop("title", None)
    schema["description"] = strategy.summary
    schema.get("properties", {}).pop("strategy", None)
    return schema


def _column_rule(strategies: list[Strategy[Any]], defs: dict[str, Any]) -> dict[str, Any]:
    names = [s.name for s in strategies]
    branches = []
    for strategy in strategies:
        defs[f"params.{strategy.name}"] = _params_schema(strategy, defs)
        branches.append(
            {
                "if": {"properties": {"strategy": {"const": strategy.name}}},
                "then": {"$ref": f"#/$defs/params.{strategy.name}"},
            }
        )
    shorthand = [s.name for s in strategies if _takes_no_params(s)]
    return {
        "description": "A strategy name, or a mapping with `strategy`, `unique` and the "
        "strategy's parameters.",
        "anyOf": [
            {
                "type": "string",
                "enum": shorthand,
                "description": "A strategy without required parameters.",
            },
            {"type": "null", "description": "Unquoted YAML null: the `null` strategy."},
            {
                "type": "object",
                "required": ["strategy"],
                "properties": {
                    "strategy": {"enum": names, "description": "The masking strategy."},
                    "unique": {
                        "type": "boolean",
                        "description": "Values must stay distinct (an injective strategy).",
                    },
                },
                "allOf": branches,
                "unevaluatedProperties": False,
            },
        ],
    }


def _table_rule() -> dict[str, Any]:
    return {
        "description": "keep, truncate, or a mapping with columns and/or delete_where.",
        "anyOf": [
            {"type": "string", "enum": list(SHORTHAND_ACTIONS)},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "columns": {
                        "type": "object",
                        "description": "column: rule, for every column of the table.",
                        "additionalProperties": {"$ref": "#/$defs/columnRule"},
                    },
                    "delete_where": {
                        "type": "string",
                        "description": "SQL condition over the row's own columns: rows "
                        "matching it are deleted from the clone.",
                    },
                    "delete_cascade": {
                        "type": "boolean",
                        "description": "With delete_where: also delete the rows that "
                        "reference deleted rows, through every foreign key, all the way down "
                        "(a key ON DELETE SET NULL sets its columns to NULL instead).",
                    },
                },
            },
        ],
    }


def rules_json_schema() -> dict[str, Any]:
    """The whole schema as a JSON-ready dict (stable order: strategies sorted by name)."""
    defs: dict[str, Any] = {}
    header = _model_schema(Header, "", defs)
    header["properties"]["tables"] = {
        "type": "object",
        "description": "schema.table (or table, meaning public.table): its rule.",
        "additionalProperties": {"$ref": "#/$defs/tableRule"},
    }
    header.pop("title", None)
    header["description"] = "How to anonymize one database: a rule for every table."
    defs["tableRule"] = _table_rule()
    defs["columnRule"] = _column_rule(_strategies(), defs)
    return {
        "$schema": DIALECT,
        "title": "dbrefresh rules file",
        **header,
        "$defs": dict(sorted(defs.items())),
    }


def rules_json_schema_text() -> str:
    """The schema as committed in rules/schema.json (2-space indent, final newline)."""
    return json.dumps(rules_json_schema(), indent=2, ensure_ascii=False) + "\n"
