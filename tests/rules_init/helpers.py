"""Shared steps of the rules-init tests: generate, then load and compile like anonymize."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import yaml

from dbrefresh.catalog import read_catalog
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.init import generate_rules
from dbrefresh.rules.load import load_rules
from dbrefresh.rules.plan import Plan


def generate_and_compile(dsn: str, tmp_path: Path, **kwargs: Any) -> tuple[str, Plan]:
    """The generated text, and the Plan the real loader and compiler make of it."""
    with psycopg.connect(dsn) as conn:
        text = generate_rules(conn, **kwargs)
        catalog = read_catalog(conn)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return text, compile_plan(load_rules([path]), catalog)


def generate_then_mask(make_db: Any, tmp_path: Path, schema: str) -> tuple[str, str]:
    """A database built from `schema`, masked with the rules generated for it: its DSN
    and the generated text (rules.yaml in tmp_path)."""
    from dbrefresh.anonymize.api import anonymize, mark_clone

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(schema)
    text, _ = generate_and_compile(dsn, tmp_path)
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    return dsn, text


def strategy_of(text: str, table: str, column: str) -> str:
    """The strategy name a generated file gives a column (shorthand or mapping)."""
    rule = yaml.safe_load(text)["tables"][table]["columns"][column]
    return str(rule["strategy"] if isinstance(rule, dict) else rule)


def rule_of(text: str, table: str, column: str) -> Any:
    return yaml.safe_load(text)["tables"][table]["columns"][column]


def masked_cases(rule: Any) -> dict[str, Any]:
    """A switch's cases that mask: keys judged not personal are listed as `keep` when
    the default masks (safe_cases.py)."""
    return {key: case for key, case in rule["cases"].items() if case != "keep"}


def phone_case(case: Any) -> Any:
    """The phone rule of a switch case that hashes what is no phone number (safe_cases.py)."""
    if (
        isinstance(case, dict)
        and case.get("strategy") == "forms"
        and set(case["cases"]) == {"phone"}
        and case.get("default") == "hash"
    ):
        return case["cases"]["phone"]
    return case


def comment_of(text: str, table: str, column: str) -> str:
    """The trailing comment of a column's line (its reasons)."""
    inside = False
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            inside = line.strip().rstrip(":").strip("'\"") == table
        elif inside and line.strip().startswith(f"{column}:"):
            return line.partition("  # ")[2]
    raise AssertionError(f"{table}.{column} not in the file")
