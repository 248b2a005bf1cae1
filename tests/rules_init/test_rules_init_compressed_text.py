"""Compressed documents kept as text: Sentry keeps each event as base64(zlib(JSON)) in
nodestore_node.data (the user's email, IP address, name; request cookies). The column
was kept with no note, and verify saw nothing. A column of base64 tokens, and
compressed documents with nothing personal in them, stay kept."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = ["Anna", "Jonas", "Léa", "Mateo", "Sofia", "Kenji"]
LAST = ["Schmidt", "Dubois", "Kowalski", "García", "Rossi", "Tanaka"]


def _event(i: int) -> dict[str, object]:
    first, last = FIRST[i % 6], LAST[i % 5]
    email = f"{first.lower()}.{last.lower()}{i}@mail.example"
    return {
        "event_id": f"{i:032x}",
        "platform": "python",
        "message": f"Failed login for {email}",
        "user": {
            "id": str(i),
            "email": email,
            "ip_address": f"203.0.{i % 250}.{i % 200 + 1}",
            "name": f"{first} {last}",
        },
        "request": {"url": "https://app.example/login", "method": "POST"},
    }


def _sql(i: int, value: str) -> str:
    return f"({i}, '{value}')"


def _schema() -> str:
    events = ", ".join(
        _sql(i, base64.b64encode(zlib.compress(json.dumps(_event(i)).encode())).decode())
        for i in range(1, 201)
    )
    settings = ", ".join(
        _sql(i, base64.b64encode(gzip.compress(b'{"retries": 3, "theme": "dark"}')).decode())
        for i in range(1, 201)
    )
    tokens = ", ".join(
        _sql(i, base64.b64encode(zlib.crc32(str(i).encode()).to_bytes(4, "big") * 8).decode())
        for i in range(1, 201)
    )
    return f"""
CREATE TABLE nodestore_node (id int PRIMARY KEY, data text NOT NULL);
INSERT INTO nodestore_node VALUES {events};
CREATE TABLE app_settings (id int PRIMARY KEY, blob text NOT NULL);
INSERT INTO app_settings VALUES {settings};
CREATE TABLE api_clients (id int PRIMARY KEY, public_key text NOT NULL);
INSERT INTO api_clients VALUES {tokens};
ANALYZE;
"""


def test_compressed_events_are_replaced_by_an_empty_compressed_object(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, _schema())
    empty = base64.b64encode(zlib.compress(b"{}")).decode()
    assert rule_of(text, "public.nodestore_node", "data") == {
        "strategy": "constant",
        "value": empty,
    }
    note = comment_of(text, "public.nodestore_node", "data")
    assert "base64 of zlib-compressed data" in note and "user.email" in note
    assert rule_of(text, "public.app_settings", "blob") == "keep"
    assert "nothing looks personal" in comment_of(text, "public.app_settings", "blob")
    assert rule_of(text, "public.api_clients", "public_key") == "keep"
    with psycopg.connect(dsn) as conn:
        values = {r[0] for r in conn.execute("SELECT data FROM nodestore_node")}
    assert values == {empty} and zlib.decompress(base64.b64decode(empty)) == b"{}"
