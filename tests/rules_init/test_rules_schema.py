"""rules/schema.json: committed, current, and accepting the example rule files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbrefresh.rules.jsonschema import rules_json_schema, rules_json_schema_text
from dbrefresh.strategies.registry import all_strategies

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "rules" / "schema.json"
EXAMPLES = sorted((REPO / "rules").glob("*.yaml"))


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == rules_json_schema_text(), (
        "rules/schema.json is stale: run .venv/bin/python scripts/write_rules_schema.py"
    )


def test_script_check_mode_agrees() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "write_rules_schema.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_schema_covers_every_strategy() -> None:
    schema = rules_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {
        "version",
        "database",
        "large_objects",
        "defaults",
        "isolate",
        "tables",
    }
    rule_object = schema["$defs"]["columnRule"]["anyOf"][2]
    names = {s.name for s in all_strategies()}
    assert set(rule_object["properties"]["strategy"]["enum"]) == names
    assert {f"params.{n}" for n in names} <= set(schema["$defs"])
    assert rule_object["unevaluatedProperties"] is False


def _column_rules(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    found = []
    for name, table in (doc.get("tables") or {}).items():
        if isinstance(table, dict):
            for column, rule in (table.get("columns") or {}).items():
                found.append((f"{name}.{column}", rule))
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_parameters_are_in_the_schema(example: Path) -> None:
    """Without a validator: every key an example uses is one the schema declares."""
    schema = rules_json_schema()
    defs = schema["$defs"]
    shorthand = set(defs["columnRule"]["anyOf"][0]["enum"])
    for key, rule in _column_rules(yaml.safe_load(example.read_text(encoding="utf-8"))):
        if isinstance(rule, str):
            assert rule in shorthand, key
        elif isinstance(rule, dict):
            params = set(defs[f"params.{rule['strategy']}"].get("properties", {}))
            assert set(rule) - {"strategy", "unique"} <= params, key


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate(example: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text("utf-8")))
    errors = list(validator.iter_errors(yaml.safe_load(example.read_text("utf-8"))))
    assert not errors, [e.message for e in errors]


def test_schema_refuses_what_the_loader_refuses() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rules_json_schema())
    bad = {"version": 1, "tables": {"t": {"columns": {"c": {"strategy": "digits", "x": 1}}}}}
    assert list(validator.iter_errors(bad))
    good = {
        "version": 1,
        "tables": {"t": {"columns": {"c": {"strategy": "digits", "keep_prefix": 3}}}},
    }
    assert not list(validator.iter_errors(good))


def test_nested_rules_may_be_a_strategy_name() -> None:
    """jsonb paths and switch cases take `email` as well as {strategy: email, ...}."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rules_json_schema())
    columns = {
        "doc": {"strategy": "jsonb", "paths": {"a.email": "email", "b": {"strategy": "hash"}}},
        "meta_value": {
            "strategy": "switch",
            "by": "meta_key",
            "cases": {"first_name": "first_name", "phone": {"strategy": "digits"}},
            "default": "keep",
        },
    }
    good = {"version": 1, "tables": {"t": {"columns": columns}}}
    assert not [e.message for e in validator.iter_errors(good)]
    bad = {"version": 1, "tables": {"t": {"columns": {"v": {**columns["meta_value"], "x": 1}}}}}
    assert list(validator.iter_errors(bad))


def test_locales_one_or_several_and_nothing_else() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rules_json_schema())
    for locale in ("de_DE", ["de_DE", "fr_FR"]):
        good = {
            "version": 1,
            "defaults": {"locale": locale},
            "tables": {"t": {"columns": {"c": {"strategy": "city", "locale": locale}}}},
        }
        assert not [e.message for e in validator.iter_errors(good)]
    for locale in ("de_AT", ["de_DE", "xx"], 7):
        bad = {"version": 1, "defaults": {"locale": locale}}
        assert list(validator.iter_errors(bad)), locale
