"""An organisation's public repositories stay where they are.

Objects of GitHub repositories (`full_name` 'rails/rails', `html_url`, `clone_url`, an
`owner` object of `type` 'Organization') beside a service's own mailbox
(`security@rails.org`) had their addresses rewritten to 'github.com/u<hash>/rails.git':
the role address counted as a person's email, and the owner's type was not read. The
clone addresses broke, and nothing was hidden (`full_name` kept). A person's profile
address beside their own email is still masked (test_rules_init_social_identities).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

ORGS = ["django", "rails", "pallets", "psf", "nodejs", "golang", "rust-lang", "vuejs"]


def _repository(n: int) -> dict[str, object]:
    org = ORGS[n % len(ORGS)]
    return {
        "id": 2000 + n,
        "full_name": f"{org}/{org}",
        "html_url": f"https://github.com/{org}/{org}",
        "clone_url": f"https://github.com/{org}/{org}.git",
        "owner": {
            "login": org,
            "type": "Organization",
            "html_url": f"https://github.com/{org}",
        },
        "contact_email": f"security@{org}.org",
    }


def test_an_organisations_repository_addresses_are_kept(make_db, tmp_path: Path) -> None:
    rows = ", ".join(f"({n}, '{json.dumps(_repository(n))}')" for n in range(1, 301))
    schema = (
        f"CREATE TABLE repositories (id int PRIMARY KEY, data jsonb NOT NULL);\n"
        f"INSERT INTO repositories VALUES {rows};"
    )
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    rule = rule_of(text, "public.repositories", "data")
    paths = rule.get("paths", {}) if isinstance(rule, dict) else {}
    for path in ("html_url", "clone_url", "owner.html_url"):
        assert path not in paths, (path, text)
    assert strategy_of(text, "public.repositories", "data") in ("keep", "jsonb"), text
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, data FROM repositories").fetchall())
    for n, data in after.items():
        before = _repository(n)
        for key in ("html_url", "clone_url", "full_name"):
            assert data[key] == before[key], (key, data)
        assert data["owner"]["html_url"] == before["owner"]["html_url"]  # type: ignore[index]
