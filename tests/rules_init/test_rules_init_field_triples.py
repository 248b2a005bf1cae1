"""rules init on lists of [field, old, new] changes (Frappe's tabVersion.data).

Each change is [field, old, new], the fields in the order the changed document had
them: paths by array position (`changed.2.2: lorem`, `changed.0.1` "of several shapes,
kept") kept 191 of 200 emails, 219 phones and 211 customer names, and put lorem on
customer groups. A list of such triples is read as one `changed.[field]` path per
field, its old and new values judged by the field's name: emails, phones and names
masked by their strategies wherever they sit, every other field kept.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report
from dbrefresh.rules.json_keys import is_field_triples
from dbrefresh.rules.json_paths import read_documents
from dbrefresh.strategies.jsonb_pathsyntax import (
    PathSyntaxError,
    join_path,
    nameable,
    path_parts,
)

from .helpers import generate_and_compile, rule_of

FIRST = ("Anna", "Jonas", "Maria", "Lukas", "Sofia", "Felix", "Clara", "David", "Emma", "Noah")
LAST = ("Berg", "Keller", "Hofmann", "Weber", "Lindqvist", "Morales", "Novak", "Fischer")


def _changes(i: int, rnd: random.Random) -> list[list[Any]]:
    first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
    changes = [
        ["email_id", f"{first.lower()}.{i}@example.com", f"{last.lower()}{i}@gmail.com"],
        ["mobile_no", f"+1-555-010-{i:04d}", f"+1 (555) 020-{i:04d}"],
        ["customer_name", f"{first} {last}", f"{first} {LAST[(i + 3) % len(LAST)]}"],
        ["customer_group", "Commercial", "Individual"],
        ["territory", "India", "United States"],
        ["disabled", 0, 1],
    ]
    rnd.shuffle(changes)
    return changes[: 2 + i % 5]


def _documents(count: int) -> list[str]:
    rnd = random.Random(3)
    return [
        json.dumps({"added": [], "changed": _changes(i, rnd), "removed": [], "row_changed": []})
        for i in range(count)
    ]


def test_a_change_list_is_read_as_one_path_per_field() -> None:
    read = read_documents(_documents(60))
    assert set(read.paths) == {
        "changed.[customer_group]",
        "changed.[customer_name]",
        "changed.[email_id]",
        "changed.[mobile_no]",
        "changed.[territory]",
    }
    assert sorted(set(read.paths["changed.[territory]"])) == ["India", "United States"]
    assert "changed.[disabled]" not in read.paths  # 0 and 1: numbers, no path
    # a grid of people's rows, its first column names no field: read by position
    grid = [["Alice", "Smith", "London"], ["Bob", "Jones", "Leeds"]]
    assert not is_field_triples(grid)
    assert not is_field_triples([["a", 1, 2], ["a", 3, 4]])  # a field changes once
    assert not is_field_triples([["email_id", {"x": 1}, None]])  # values are scalars
    assert "0.0" in read_documents([json.dumps(grid)]).paths


def test_field_segments_parse_and_keys_written_so_cannot_be_named() -> None:
    assert path_parts("row_changed.*.3.[email_id]") == ("row_changed", "*", "3", "[email_id]")
    assert path_parts("x.[a.b].c") == ("x", "[a.b]", "c")  # a name holding a dot
    assert join_path(("changed", "[email_id]")) == "changed.[email_id]"
    assert not nameable("[email_id]") and nameable("a[1]")
    for bad in ('"[x]"', "a.[]", "a.[x"):
        try:
            path_parts(bad)
        except PathSyntaxError:
            continue
        raise AssertionError(bad)


def test_rules_init_proposes_field_paths_and_verify_checks_them(
    make_db: Any, tmp_path: Path
) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            'CREATE TABLE "tabVersion" (name varchar(140) PRIMARY KEY, ref_doctype varchar(140),'
            " docname varchar(140), data text)"
        )
        with conn.cursor() as cur:
            cur.executemany(
                'INSERT INTO "tabVersion" VALUES (%s, %s, %s, %s)',
                [
                    (f"{i:010x}", "Customer", f"CUST-{i:04d}", doc)
                    for i, doc in enumerate(_documents(200))
                ],
            )
        conn.execute("ANALYZE")
        before = dict(conn.execute('SELECT name, data FROM "tabVersion"').fetchall())
    text, _ = generate_and_compile(dsn, tmp_path)
    rule = rule_of(text, "public.tabVersion", "data")
    assert rule == {
        "strategy": "jsonb",
        "paths": {
            "changed.[customer_name]": "full_name",
            "changed.[email_id]": "email",
            "changed.[mobile_no]": "phone",
        },
    }, text
    mark_clone(dsn)
    rules = tmp_path / "rules.yaml"
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute('SELECT name, data FROM "tabVersion"').fetchall())
    survived = kept_wrong = 0
    for name, original in before.items():
        old, new = json.loads(original)["changed"], json.loads(after[name])["changed"]
        assert [c[0] for c in new] == [c[0] for c in old] and all(len(c) == 3 for c in new)
        for was, now in zip(old, new, strict=True):
            if was[0] in ("email_id", "mobile_no", "customer_name"):
                survived += sum(a == b for a, b in zip(was[1:], now[1:], strict=True))
            else:
                kept_wrong += was != now
    assert (survived, kept_wrong) == (0, 0)
    assert verify_report(dsn, [rules], seed="s").findings == []
