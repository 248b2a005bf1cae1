"""jsonb `[key=value]` segments: objects of a list told apart by a key, in any order.

Typebot's `Result.variables` ([{id, name, value}] in the order a session set them) and
FHIR's `telecom` ([{system, value, use}], a Practitioner's email where a Patient's
phone sits) got rules by position (`0.value: full_name, 1.value: email`): an email
met at another index was kept. `variables.[name=Email].value` masks the value of the
object named Email wherever it sits; the ids, names, other values and the order stay,
and verify samples each selected value on its own.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.strategies.jsonb_pathsyntax import PathSyntaxError, path_parts
from tests.anonymize.helpers import run_cli

RULES = """version: 1
tables:
  public.results:
    columns:
      id: keep
      variables:
        strategy: jsonb
        paths:
          "[name=Email].value": email
          "[name=Full name].value": full_name
          "[name=Phones].value": phone
      telecom:
        strategy: jsonb
        paths:
          telecom.[system=email].value: email
          telecom.[system=phone].value: phone
"""
PERSONAL = {"Email", "Full name", "Phones"}


def _variables(i: int, rnd: random.Random) -> list[Any]:
    variables: list[Any] = [
        {"id": "vmail", "name": "Email", "value": f"lead{i}@mail.example.net"},
        {"id": "vname", "name": "Full name", "value": f"Jennifer Lopez{i}"},
        {"id": "vtel", "name": "Phones", "value": [f"+1 555 01{i:02d}", f"+1 555 02{i:02d}"]},
        {"id": "vtags", "name": "Interests", "value": ["Pricing", "Demo"]},
        {"id": "vage", "name": "Age", "value": 20 + i},
        {"id": "vplan", "name": "Plan", "value": "Pro"},
    ]
    rnd.shuffle(variables)
    return [*variables[: 3 + i % 4], "stray", ["Email", "n/a"]]


def _telecom(i: int) -> dict[str, Any]:
    email = {"system": "email", "value": f"dr.jones{i}@clinic.org", "use": "work"}
    phone = {"system": "phone", "value": f"(555) 201-{i:04d}", "use": "home", "rank": 1}
    return {"resourceType": "Practitioner", "telecom": [email] if i % 3 else [phone, email]}


def _setup(make_db: Any, tmp_path: Path) -> tuple[str, Path, dict[str, Any]]:
    dsn = make_db()
    rnd = random.Random(5)
    rows = {f"r{i}": (_variables(i, rnd), _telecom(i)) for i in range(40)}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE results (id text PRIMARY KEY, variables jsonb, telecom text)")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO results VALUES (%s, %s, %s)",
                [(k, json.dumps(v), json.dumps(t)) for k, (v, t) in rows.items()],
            )
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    return dsn, rules, rows


def _after(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, variables, telecom FROM results")
        return {k: (v, json.loads(t)) for k, v, t in rows}


def test_each_object_is_masked_by_its_name(make_db: Any, tmp_path: Path) -> None:
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    after = _after(dsn)
    masked = 0
    for key, (old_vars, old_tel) in before.items():
        new_vars, new_tel = after[key]
        assert len(new_vars) == len(old_vars)
        assert new_vars[-2:] == old_vars[-2:]  # no object: kept
        for new, old in zip(new_vars[:-2], old_vars[:-2], strict=True):
            assert {k: v for k, v in new.items() if k != "value"} == {
                k: v for k, v in old.items() if k != "value"
            }
            if old["name"] not in PERSONAL:
                assert new == old  # Interests, Age, Plan kept
                continue
            masked += 1
            assert new["value"] != old["value"]
            if old["name"] == "Email":
                assert "@" in new["value"] and old["value"].split("@")[0] not in new["value"]
            if old["name"] == "Phones":
                assert len(new["value"]) == 2
                assert not set(new["value"]) & set(old["value"])
        assert new_tel["resourceType"] == old_tel["resourceType"]
        for new, old in zip(new_tel["telecom"], old_tel["telecom"], strict=True):
            assert {k: v for k, v in new.items() if k != "value"} == {
                k: v for k, v in old.items() if k != "value"
            }
            assert new["value"] != old["value"]
            assert ("@" in new["value"]) == (old["system"] == "email")
    assert masked > 80
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled["public.results.variables:[name=Email].value"] > 20
    assert report.sampled["public.results.telecom:telecom.[system=phone].value"] == 14


def test_a_surviving_selected_value_is_a_leak(make_db: Any, tmp_path: Path, capsys: Any) -> None:
    """verify samples each selector's values: an email written back is named by its
    path, though the document's other values changed."""
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s").code == 0
    old_tel = before["r4"][1]
    doc = _after(dsn)["r4"][1]
    at = next(n for n, t in enumerate(doc["telecom"]) if t["system"] == "email")
    doc["telecom"][at]["value"] = old_tel["telecom"][at]["value"]
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE results SET telecom = %s WHERE id = 'r4'", (json.dumps(doc),))
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    leaks = json.loads(result.out)["leaks"]
    assert leaks["public.results.telecom:telecom.[system=email].value"] == 1
    assert leaks["public.results.telecom:telecom.[system=phone].value"] == 0


@pytest.mark.parametrize("path", ["a.[name=Email]", "a.[=x].value", "a.[name=].value"])
def test_a_selector_needs_a_key_a_value_and_a_path_after_it(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        path_parts(path)


def test_a_selector_value_may_hold_dots_and_spaces() -> None:
    assert path_parts("f.[name=Full name].value") == ("f", "[name=Full name]", "value")
    assert path_parts("f.[label=e.mail].value") == ("f", "[label=e.mail]", "value")
