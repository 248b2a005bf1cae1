"""Login profiles in JSON (HedgeDoc's `"Users".profile`, Passport's profile object): the
provider's account id kept in `id`, `_json.id`, the avatar addresses and `profileid`
('github-6982469', 'LDAP-<login>'), an LDAP profile's `emails` (a string array beside
GitHub's [{"value": ...}]) kept under a REVIEW note that verify then failed on, and
GitHub's `blog` holding the login in its host. Each is masked now, alike wherever the
same id or login is. An integration's config (its `id`, `provider`, the app's own
URLs) stays kept."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import generate_then_mask, rule_of, strategy_of

FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas"]
LAST = ["Schmidt", "Meyer", "Dupont", "Rossi", "Kowalski", "Jansen", "Novak", "Garcia"]


def _profile(i: int) -> tuple[str, dict[str, object]]:
    first, last = FIRST[i % 10], LAST[i % 8]
    login, mail, gid = (
        f"{first[0]}{last}{i}".lower(),
        f"{first}.{last}{i}@gmail.com",
        1000000 + i * 7919,
    )
    avatar = f"https://avatars.githubusercontent.com/u/{gid}?v=4"
    if i % 3 == 0:
        raw = {
            "login": login,
            "id": gid,
            "avatar_url": avatar,
            "name": f"{first} {last}",
            "html_url": f"https://github.com/{login}",
            "blog": f"https://{login}.dev",
            "email": mail,
        }
        return f"github-{gid}", {
            "id": str(gid), "displayName": f"{first} {last}", "username": login,
            "profileUrl": f"https://github.com/{login}", "emails": [{"value": mail}],
            "photos": [{"value": avatar}], "provider": "github", "_json": raw,
        }  # fmt: skip
    if i % 3 == 1:
        raw = {
            "id": gid,
            "username": login,
            "name": f"{first} {last}",
            "email": mail,
            "web_url": f"https://gitlab.example.com/{login}",
        }
        return f"gitlab-{gid}", {
            "id": gid, "username": login, "displayName": f"{first} {last}",
            "emails": [{"value": mail}], "provider": "gitlab", "_json": raw,
        }  # fmt: skip
    return f"LDAP-{login}", {
        "id": login, "username": login, "displayName": f"{first} {last}", "emails": [mail],
        "avatarUrl": None, "profileUrl": None, "provider": "ldap",
    }  # fmt: skip


def _config(i: int) -> dict[str, object]:
    """An integration's config: ids of this database, the app's own addresses."""
    return {
        "id": i,
        "provider": ["github", "gitlab", "google"][i % 3],
        "callbackUrl": f"https://notes.example.org/auth/{i}/callback",
        "homepage": "https://notes.example.org",
        "blog": "https://notes.example.org/blog",
    }


def _schema() -> str:
    users = []
    for i in range(1, 151):
        profile_id, profile = _profile(i)
        users.append(
            f"('{i:08d}-0000-4000-8000-000000000000', '{profile_id}', '{json.dumps(profile)}')"
        )
    configs = ", ".join(f"({i}, '{json.dumps(_config(i))}')" for i in range(1, 61))
    return f"""
CREATE TABLE "Users" (id uuid PRIMARY KEY, profileid varchar(255) UNIQUE, profile text,
  "createdAt" timestamptz NOT NULL DEFAULT now());
INSERT INTO "Users" (id, profileid, profile) VALUES {", ".join(users)};
CREATE TABLE integrations (id int PRIMARY KEY, config jsonb NOT NULL);
INSERT INTO integrations VALUES {configs};
"""


def test_login_profile_ids_masked_alike(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, _schema())
    paths = rule_of(text, "public.Users", "profile")["paths"]
    for path in ("id", "_json.id"):
        assert paths[path]["strategy"] == "forms", (path, text)
    assert paths["photos.*.value"]["strategy"] == "url_path", text
    assert paths["_json.avatar_url"]["strategy"] == "url_path", text
    assert paths["emails.*"] == "email" and paths["emails.*.value"] == "email", text
    assert "REVIEW: kept, masking would break it" not in text, text
    assert strategy_of(text, "public.Users", "profileid") == "prefixed", text
    assert strategy_of(text, "public.integrations", "config") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute('SELECT profileid, profile FROM "Users" ORDER BY id').fetchall()
        configs = conn.execute("SELECT id, config FROM integrations ORDER BY id").fetchall()
    originals = dict(_profile(i) for i in range(1, 151))
    assert len(rows) == 150
    masked_ids = set()
    for (profile_id, text_after), (old_id, before) in zip(rows, originals.items(), strict=True):
        after = json.loads(text_after)  # still parses
        assert after["provider"] == before["provider"]
        new_id = str(after["id"])
        assert new_id != str(before["id"]) and profile_id != old_id, (before, after)
        label = old_id.split("-", 1)[0]
        assert profile_id == f"{label}-{new_id}", (profile_id, after)  # still names it
        masked_ids.add(profile_id)
        if before["provider"] == "ldap":
            assert new_id == after["username"] != before["username"]  # the login, alike
            assert after["emails"] != before["emails"] and "@" in after["emails"][0]
            continue
        assert after["emails"][0]["value"] != before["emails"][0]["value"]  # still objects
        raw = after["_json"]
        assert str(raw["id"]) == new_id and new_id.isdigit()
        assert len(new_id) == len(str(before["id"]))
        if before["provider"] == "github":
            login = after["username"]
            assert after["profileUrl"] == f"https://github.com/{login}" == raw["html_url"]
            avatar = f"https://avatars.githubusercontent.com/u/{new_id}?v=4"
            assert after["photos"][0]["value"] == avatar == raw["avatar_url"]
            assert raw["blog"].startswith("https://example.com/")
            assert before["username"] not in raw["blog"]
    assert len(masked_ids) == 150  # unique still
    assert [c for _, c in configs] == [_config(i) for i in range(1, 61)]  # the decoy kept
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
