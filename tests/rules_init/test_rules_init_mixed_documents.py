"""`rules init` on structured values the application parses again.

- Mattermost's users.props keeps customStatus as a JSON document in a string: the path
  got `lorem`, and Mattermost could no longer parse any status. It gets a `jsonb` rule
  of its own: the document's members masked, the string still a document.
- Sentry's nodestore_node.data holds plain JSON and base64 of zlib-compressed JSON: the
  column got `lorem`, every event word salad. The JSON rows are masked path by path, the
  compressed ones become '{}' (`others`), and a note names them.
- Moodle's log `other` holds JSON and, on older rows, PHP-serialised data: the jsonb rule
  wrote NULL for those. `others: php_serialized` masks them in place.
Every masked value still parses (json.loads, php_parse).
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules.php_parse import parse

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = ["Anna", "Peter", "Maria", "Jörg", "Lena", "Tom", "Sofia", "Lukas", "Emma", "Jonas"]
LAST = ["Schmidt", "Meyer", "Garcia", "Müller", "Fischer", "Becker", "Rossi", "Weber"]


def _name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"


def _users() -> list[tuple[int, str, str]]:
    """Mattermost: a status naming people on every other user; a theme document in a
    string, no one's, on every user (a kept column of the same shape)."""
    rows = []
    for i in range(1, 301):
        props: dict[str, str] = {"last_search_pointer": str(i % 4)}
        if i % 2:
            status = {"emoji": "calendar", "text": f"Meeting with {_name(i)}", "duration": "today"}
            props["customStatus"] = json.dumps(status)
        theme = {"sidebarBg": "#1e325c", "codeTheme": ["github", "monokai"][i % 2]}
        rows.append((i, json.dumps(props), json.dumps({"theme": json.dumps(theme)})))
    return rows


def _events() -> list[tuple[int, str]]:
    """Sentry: one event in three stored compressed."""
    rows = []
    for i in range(1, 301):
        event = {
            "event_id": f"{i:032x}",
            "platform": "python",
            "user": {"email": f"user{i}@mail.example", "name": _name(i)},
            "tags": {"level": "error"},
        }
        raw = json.dumps(event)
        stored = base64.b64encode(zlib.compress(raw.encode())).decode() if i % 3 == 0 else raw
        rows.append((i, stored))
    return rows


def _php(value: dict[str, str]) -> str:
    items = "".join(
        f's:{len(k.encode())}:"{k}";s:{len(v.encode())}:"{v}";' for k, v in value.items()
    )
    return f"a:{len(value)}:{{{items}}}"


def _logs() -> list[tuple[int, str]]:
    """Moodle: PHP-serialised on one row in three (before the upgrade), JSON else."""
    rows = []
    for i in range(1, 301):
        login = f"{FIRST[i % len(FIRST)].lower()}{i}"
        if i % 3 == 0:
            other = _php(
                {"username": login, "email": f"{login}@mail.example", "fullname": _name(i)}
            )
        else:
            other = json.dumps(
                {"username": login, "reason": 1, "relateduserfullname": _name(i + 1)}
            )
        rows.append((i, other))
    return rows


def _schema() -> str:
    def values(rows: list[tuple[object, ...]]) -> str:
        return ",\n".join(
            "("
            + ", ".join(
                str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in row
            )
            + ")"
            for row in rows
        )

    return f"""
CREATE TABLE users (id int PRIMARY KEY, props jsonb NOT NULL, settings jsonb NOT NULL);
INSERT INTO users VALUES {values(_users())};
CREATE TABLE nodestore_node (id int PRIMARY KEY, data text NOT NULL);
INSERT INTO nodestore_node VALUES {values(_events())};
CREATE TABLE mdl_logstore_standard_log (id int PRIMARY KEY, other text);
INSERT INTO mdl_logstore_standard_log VALUES {values(_logs())};
ANALYZE;
"""


def test_structured_values_stay_parseable(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, _schema())
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    props = rule_of(text, "public.users", "props")
    assert props["paths"]["customStatus"]["strategy"] == "jsonb", props
    assert set(props["paths"]["customStatus"]["paths"]) == {"text"}, props
    assert "customStatus (a JSON document in a string)" in comment_of(text, "public.users", "props")
    assert rule_of(text, "public.users", "settings") == "keep"  # no one's documents
    data = rule_of(text, "public.nodestore_node", "data")
    assert data["strategy"] == "jsonb" and data["others"] == {"strategy": "constant", "value": "{}"}
    assert "100 of 300 sampled values are no JSON but base64 of zlib-compressed data" in (
        comment_of(text, "public.nodestore_node", "data")
    )
    other = rule_of(text, "public.mdl_logstore_standard_log", "other")
    assert other["others"]["strategy"] == "php_serialized", other
    assert {"email", "fullname", "username"} <= set(other["others"]["keys"])
    with psycopg.connect(dsn) as conn:
        users = conn.execute("SELECT id, props, settings FROM users ORDER BY id").fetchall()
        events = [r[0] for r in conn.execute("SELECT data FROM nodestore_node ORDER BY id")]
        logs = [r[0] for r in conn.execute("SELECT other FROM mdl_logstore_standard_log")]
    original = {i: (json.loads(p), json.loads(s)) for i, p, s in _users()}
    for i, props_now, settings in users:
        assert settings == original[i][1]
        if i % 2:
            status = json.loads(props_now["customStatus"])
            assert set(status) == {"emoji", "text", "duration"}
            assert status["emoji"] == "calendar" and _name(i) not in status["text"]
    assert all(isinstance(json.loads(e), dict) for e in events)
    assert sum(e == "{}" for e in events) == 100
    assert not any("mail.example" in e or "Schmidt" in e for e in events)
    assert len(logs) == 300 and None not in logs
    php = [parse(v) for v in logs if v.startswith("a:")]
    assert len(php) == 100 and all(
        isinstance(p, dict) and set(p) == {"username", "email", "fullname"} for p in php
    )
    assert not any("mail.example" in v for v in logs)
    assert all(isinstance(json.loads(v), dict) for v in logs if v.startswith("{"))


OPAQUE_KEPT = """
CREATE TABLE blobs (id int PRIMARY KEY, payload text, token text);
INSERT INTO blobs
SELECT g, CASE WHEN g % 3 = 0 THEN encode(sha256(('p' || g)::bytea), 'base64')
  ELSE json_build_object('kind', 'build', 'step', g % 5)::text END,
  CASE WHEN g % 5 = 0 THEN json_build_object('kind', 'x')::text
  ELSE encode(sha256(g::text::bytea), 'base64') END
FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_opaque_values_beside_documents_no_one_s(make_db, tmp_path: Path) -> None:
    """JSON naming no one beside opaque values: kept, the note naming them; a column
    mostly opaque is no column of documents."""
    _dsn, text = generate_then_mask(make_db, tmp_path, OPAQUE_KEPT)
    assert rule_of(text, "public.blobs", "payload") == "keep"
    assert "(100 of them base64)" in comment_of(text, "public.blobs", "payload")
    token = rule_of(text, "public.blobs", "token")
    assert not (isinstance(token, dict) and token.get("strategy") == "jsonb"), token
