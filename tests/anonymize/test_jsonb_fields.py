"""jsonb `[name]` segments: the values of [field, old, new] changes masked by field name.

Frappe's change log (tabVersion.data) keeps each change as [field, old, new] in the
order the document had its fields: rules by array position (`changed.2.2: lorem`) kept
most emails, phones and names and made customer groups gibberish. `changed.[email_id]`
masks the old and new values of the change of email_id wherever it sits; the field
names, the other fields' values, each change's length and order stay, and verify
samples each field's values on their own.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from tests.anonymize.helpers import run_cli

PERSONAL = ("email_id", "mobile_no", "customer_name")
RULES = """version: 1
tables:
  public.tabVersion:
    columns:
      name: keep
      data:
        strategy: jsonb
        paths:
          "changed.[email_id]": email
          "changed.[mobile_no]": phone
          "changed.[customer_name]": full_name
          "row_changed.*.3.[email_id]": email
          "added.[contacts].email_id": email
"""


def _document(i: int, rnd: random.Random) -> dict[str, Any]:
    changes = [
        ["email_id", None if i % 5 == 0 else f"old{i}@example.com", f"new{i}@gmail.com"],
        ["mobile_no", f"+1-555-010-{i:04d}", f"(555) 020-{i:04d}"],
        ["customer_name", f"Anna Berg{i}", f"Anna Lind{i}"],
        ["customer_group", "Commercial", "Individual"],
        ["territory", "India", "United States"],
        ["is_frozen", 0, 1],
    ]
    rnd.shuffle(changes)
    rows = [["contacts", 1, f"row-{i}", [["is_primary", 0, 1], ["email_id", f"c{i}@x.org", None]]]]
    added = [["contacts", {"email_id": f"add{i}@x.org", "status": "Open"}], ["links", {}]]
    return {
        "added": added if i % 3 == 0 else [],
        "changed": changes[: 2 + i % 5],
        "data_import": None,
        "removed": [],
        "row_changed": rows if i % 2 else [],
    }


def _setup(make_db: Any, tmp_path: Path) -> tuple[str, Path, dict[str, Any]]:
    dsn = make_db()
    rnd = random.Random(7)
    docs = {f"v{i}": _document(i, rnd) for i in range(40)}
    docs["odd"] = {"changed": ["not a change", {"email_id": "n/a"}, [1, 2, 3]]}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute('CREATE TABLE "tabVersion" (name varchar(140) PRIMARY KEY, data text)')
        with conn.cursor() as cur:
            cur.executemany(
                'INSERT INTO "tabVersion" VALUES (%s, %s)',
                [(k, json.dumps(d, indent=1)) for k, d in docs.items()],
            )
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    return dsn, rules, docs


def _after(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        return {k: json.loads(v) for k, v in conn.execute('SELECT * FROM "tabVersion"')}


def test_each_change_is_masked_by_its_field_name(make_db: Any, tmp_path: Path) -> None:
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    after = _after(dsn)
    masked = 0
    for key, old_doc in before.items():
        doc = after[key]
        if key == "odd":
            assert doc == old_doc  # no element is a change: nothing selected
            continue
        assert {k: v for k, v in doc.items() if k not in ("changed", "row_changed", "added")} == {
            k: v for k, v in old_doc.items() if k not in ("changed", "row_changed", "added")
        }
        for new_add, old_add in zip(doc["added"], old_doc["added"], strict=True):
            assert new_add[0] == old_add[0] and len(new_add) == 2  # a child row added
            if old_add[0] == "contacts":
                assert new_add[1]["status"] == "Open"
                assert new_add[1]["email_id"] != old_add[1]["email_id"]
        assert [c[0] for c in doc["changed"]] == [c[0] for c in old_doc["changed"]]
        for new, old in zip(doc["changed"], old_doc["changed"], strict=True):
            assert len(new) == 3
            if old[0] not in PERSONAL:
                assert new == old  # customer groups, territories, flags (numbers) kept
                continue
            for was, now in zip(old[1:], new[1:], strict=True):
                if was is None:
                    assert now is None
                    continue
                masked += 1
                assert now != was and isinstance(now, str)
                if old[0] == "email_id":
                    assert "@" in now and was.split("@")[0] not in now
        for new_row, old_row in zip(doc["row_changed"], old_doc["row_changed"], strict=True):
            assert new_row[:3] == old_row[:3]
            assert new_row[3][0] == ["is_primary", 0, 1]
            assert new_row[3][1][0] == "email_id" and new_row[3][1][2] is None
            assert new_row[3][1][1] != old_row[3][1][1] and "@" in new_row[3][1][1]
    assert masked > 150
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    sampled = report.sampled
    assert sampled["public.tabVersion.data:changed.[email_id]"] > 40
    assert sampled["public.tabVersion.data:changed.[mobile_no]"] > 40
    assert sampled["public.tabVersion.data:row_changed.*.3.[email_id]"] == 20
    assert sampled["public.tabVersion.data:added.[contacts].email_id"] == 14


def test_a_surviving_field_value_is_a_leak(make_db: Any, tmp_path: Path, capsys: Any) -> None:
    """verify samples each field's values: a phone number written back is named by its
    field's path, though the document's emails changed."""
    dsn, rules, before = _setup(make_db, tmp_path)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s").code == 0
    doc = _after(dsn)["v3"]
    old = next(c for c in before["v3"]["changed"] if c[0] == "mobile_no")
    at = next(n for n, c in enumerate(doc["changed"]) if c[0] == "mobile_no")
    doc["changed"][at][2] = old[2]
    with psycopg.connect(dsn) as conn:
        conn.execute('UPDATE "tabVersion" SET data = %s WHERE name = %s', (json.dumps(doc), "v3"))
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s", "--format", "json")
    assert result.code == 1
    leaks = json.loads(result.out)["leaks"]
    assert leaks["public.tabVersion.data:changed.[mobile_no]"] == 1
    assert leaks["public.tabVersion.data:changed.[email_id]"] == 0
