"""Social identities inside JSON: Logto's users.identities kept the GitHub account's
ids (`userId`, `details.id`, `rawData.id`, 38029838 resolves at api.github.com/user/ID)
and `node_id`, and `html_url` 'https://github.com/coliva' beside the masked `login`;
Google's avatar 'https://lh3.googleusercontent.com/a/ACg8ocK...' became bare hex (a
broken picture). Ids under a provider's object are masked by form (digits of the same
length), the login in a profile address as the bare login is, an avatar keeps its URL.
Ids outside a provider's object (`primary.id`, a connector's config) stay kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

FIRST = ["anna", "paul", "marie", "jonas", "lea", "tom", "sara", "ben"]
LAST = ["schmidt", "meyer", "dubois", "rossi", "garcia", "novak", "berg", "costa"]


def _login(n: int) -> str:
    return f"{FIRST[n % 8]}{LAST[n // 8 % 8]}{n}"


def _identities(n: int) -> dict[str, object]:
    gid = 38029838 + n * 7919
    name = f"{FIRST[n % 8].title()} {LAST[n // 8 % 8].title()}"
    raw = {
        "login": _login(n),
        "id": gid,
        "node_id": base64.b64encode(f"04:User{gid}".encode()).decode(),
        "html_url": f"https://github.com/{_login(n)}",
        "url": f"https://api.github.com/users/{_login(n)}",
    }
    github = {
        "userId": str(gid),
        "details": {
            "id": str(gid),
            "name": name,
            "email": f"{_login(n)}@example.org",
            "avatar": f"https://avatars.githubusercontent.com/u/{gid}?v=4",
            "profileUrl": f"https://www.linkedin.com/in/{FIRST[n % 8]}-{LAST[n // 8 % 8]}-{n:03d}",
            "rawData": raw,
        },
    }
    google = {
        "userId": str(104458102983424870000 + n * 104729),
        "details": {
            "email": f"{_login(n)}@gmail.com",
            "name": name,
            "avatar": "https://lh3.googleusercontent.com/a/ACg8ocK"
            + base64.urlsafe_b64encode(gid.to_bytes(8, "big") * 3).decode().rstrip("="),
        },
    }
    return {"github": github, "google": google, "primary": {"id": f"u{n:011d}"}}


def _schema() -> str:
    rows = ", ".join(f"('u{n:011d}', '{json.dumps(_identities(n))}')" for n in range(1, 201))
    return f"""
CREATE TABLE users (id varchar(12) PRIMARY KEY, identities jsonb NOT NULL DEFAULT '{{}}');
INSERT INTO users VALUES {rows};
CREATE TABLE connectors (id int PRIMARY KEY, config jsonb);
INSERT INTO connectors SELECT g, jsonb_build_object('github', jsonb_build_object(
  'id', (1000 + g)::text, 'clientId', 'Iv1.' || md5(g::text)))
  FROM generate_series(1, 50) g;
"""


def test_provider_ids_profile_urls_and_avatars(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, _schema())
    paths = rule_of(text, "public.users", "identities")["paths"]
    for path in (
        "github.userId",
        "github.details.id",
        "github.details.rawData.id",
        "github.details.rawData.node_id",
        "google.userId",
    ):
        assert paths[path]["strategy"] == "forms", (path, text)
    assert paths["github.details.rawData.html_url"] == {
        "strategy": "url_path",
        "after": ["github.com"],
        "rule": {"strategy": "hash", "prefix": "u"},
    }, text
    assert paths["google.details.avatar"] == "file_name", text
    assert "primary.id" not in paths, text
    assert strategy_of(text, "public.connectors", "config") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, identities FROM users ORDER BY id").fetchall()
        configs = conn.execute(
            "SELECT count(*) FROM connectors WHERE config->'github'->>'id' = (1000 + id)::text"
        ).fetchone()
    assert configs == (50,)
    for key, after in rows:
        before = _identities(int(key[1:]))
        gh, was = after["github"], before["github"]
        raw, was_raw = gh["details"]["rawData"], was["details"]["rawData"]  # type: ignore[index]
        assert gh["userId"] != was["userId"] and len(gh["userId"]) == len(was["userId"])  # type: ignore[arg-type]
        assert gh["userId"].isdigit() and gh["details"]["id"] == gh["userId"]  # alike
        assert str(raw["id"]) == gh["userId"]
        assert raw["node_id"] != was_raw["node_id"]
        login = raw["login"]
        assert login != was_raw["login"]
        assert raw["html_url"] == f"https://github.com/{login}"  # agrees with the login
        assert raw["url"] == f"https://api.github.com/users/{login}"
        assert _login(int(key[1:])) not in gh["details"]["profileUrl"]
        assert gh["details"]["profileUrl"].startswith("https://www.linkedin.com/in/")
        google = after["google"]
        assert google["userId"] != before["google"]["userId"]  # type: ignore[index]
        assert len(google["userId"]) == 21
        avatar = google["details"]["avatar"]
        assert avatar.startswith("https://lh3.googleusercontent.com/a/"), avatar
        assert avatar != before["google"]["details"]["avatar"]  # type: ignore[index]
        assert after["primary"] == before["primary"]  # an id of this database: kept
