"""A unique key on one path of a JSON document (Akkoma's `UNIQUE ((data->>'id'))`).

The key made the whole `data` column count as unique: rules init hashed every masked
path to hex (a note's content, its author's name) because no name or text strategy is
injective, and the compiler refused a hand-written lossy path. The key reads only `id`,
which masking leaves alone, so the other paths get their usual strategies; a rule on a
path a key reads (or above it) is still held to injective strategies."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from dbrefresh.catalog import read_catalog
from dbrefresh.errors import RulesError
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.json_key_paths import paths_read, touches
from dbrefresh.rules.load import load_rules

from .helpers import generate_then_mask, rule_of

ROWS = 300
FIRST = ["Anna", "Jan", "Maria", "Peter", "Julia", "Tomasz", "Eva", "Lukas", "Sofia", "Ben"]
LAST = ["Schmidt", "Kowalski", "Rossi", "Meyer", "Nowak", "Fischer", "Weber", "Bauer"]
SCHEMA = f"""
CREATE TABLE objects (id int PRIMARY KEY, data jsonb NOT NULL);
CREATE UNIQUE INDEX objects_ap_id ON objects ((data ->> 'id'));
INSERT INTO objects SELECT i, jsonb_build_object(
    'id', 'https://social.example/objects/' || md5(i::text)::uuid,
    'type', 'Note',
    'actor', jsonb_build_object(
        'name', (ARRAY{FIRST})[1 + i % 10] || ' ' || (ARRAY{LAST})[1 + i % 8],
        'email', 'member' || i || '@mail.example.org'))
  FROM generate_series(1, {ROWS}) i;
"""


def test_paths_read_from_index_expressions() -> None:
    assert paths_read("(data ->> 'id'::text)", "data") == [("id",)]
    assert paths_read("((data -> 'object'::text) ->> 'id'::text)", "data") == [("object", "id")]
    assert paths_read("(data #>> '{a,b}'::text[])", "data") == [("a", "b")]
    assert paths_read("lower((data ->> 'id'::text))", "data") == [("id",)]
    assert paths_read("lower((data)::text)", "data") is None  # the whole document
    assert paths_read("lower(email)", "data") == []
    assert touches(["actor.name"], [("id",)]) is False
    assert touches(["id"], [("id",)]) is True
    assert touches(["*.name"], [("id",)]) is True  # every member: id among them
    assert touches(["object"], [("object", "id")]) is True


def test_rules_init_masks_paths_beside_a_key_path_as_usual(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.objects", "data")
    assert rule["strategy"] == "jsonb"
    assert rule["paths"]["actor.name"] == "full_name"  # was hash: "no name is injective"
    assert "id" not in rule["paths"]
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, data FROM objects ORDER BY id").fetchall()
    names = [row[1]["actor"]["name"] for row in rows]
    assert all(" " in n for n in names), names[:3]  # names, not 32 hex characters
    originals = [f"{FIRST[i % 10]} {LAST[i % 8]}" for i in range(1, ROWS + 1)]
    assert sum(m != o for m, o in zip(names, originals, strict=True)) >= ROWS - 3
    ids = [row[1]["id"] for row in rows]
    assert len(set(ids)) == ROWS
    assert ids[0] == "https://social.example/objects/c4ca4238-a0b9-2382-0dcc-509a6f75849b"


def _compile(dsn: str, tmp_path: Path, paths: dict[str, object]) -> None:
    rules = tmp_path / "hand.yaml"
    rules.write_text(
        json.dumps(
            {
                "version": 1,
                "tables": {
                    "public.objects": {
                        "columns": {"id": "keep", "data": {"strategy": "jsonb", "paths": paths}}
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    with psycopg.connect(dsn) as conn:
        compile_plan(load_rules([rules]), read_catalog(conn))


def test_compiler_holds_only_key_paths_to_injective_rules(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="jsonkey")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    _compile(dsn, tmp_path, {"actor.name": "full_name", "actor.email": "email"})
    with pytest.raises(RulesError) as refused:
        _compile(dsn, tmp_path, {"id": "lorem"})
    assert [f.code for f in refused.value.findings] == ["lossy-on-unique"]
