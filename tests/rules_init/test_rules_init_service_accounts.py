"""Zitadel's machine users: projections.users14.username 'zitadel-admin-sa' (a row of
`type` 2, the service account its setup creates for Terraform) was hashed to 'u485f...'
like every person's login, and the account no longer existed by that name. Service
accounts' logins ('zitadel-admin-sa', 'svc-backup', 'renovate[bot]') are kept in
user-name columns like 'admin'; people's logins, 'joao-sa' (Sá) and 'theo.bot' (Bot)
too, are masked. At the event payload's `userName` path no rule keeps values by name:
a REVIEW note names the service accounts found there."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.service_accounts import is_service_account

from .helpers import comment_of, generate_then_mask, rule_of

FIRSTS = "ARRAY['anna', 'john', 'maria', 'pierre', 'daria', 'lukas']"
LASTS = "ARRAY['schmidt', 'smith', 'garcia', 'dubois', 'rossi', 'novak', 'silva']"
SERVICES = ("zitadel-admin-sa", "svc-backup", "renovate[bot]")
PEOPLE = ("joao-sa", "theo.bot")
SCHEMA = f"""
CREATE TABLE users14 (id text PRIMARY KEY, instance_id text NOT NULL,
  username text NOT NULL, type smallint NOT NULL, UNIQUE (instance_id, username));
INSERT INTO users14 SELECT 'h' || g, 'inst1',
  ({FIRSTS})[1 + g % 6] || '.' || ({LASTS})[1 + g % 7] || g, 1 FROM generate_series(1, 200) g;
INSERT INTO users14 VALUES ('m1', 'inst1', 'zitadel-admin-sa', 2),
  ('m2', 'inst1', 'svc-backup', 2), ('m3', 'inst1', 'renovate[bot]', 2),
  ('h901', 'inst1', 'joao-sa', 1), ('h902', 'inst1', 'theo.bot', 1);
CREATE TABLE events2 (instance_id text, aggregate_id text, sequence int, event_type text,
  payload jsonb, PRIMARY KEY (instance_id, aggregate_id, sequence));
INSERT INTO events2 SELECT instance_id, id, 1,
  CASE type WHEN 2 THEN 'user.machine.added' ELSE 'user.human.added' END,
  jsonb_build_object('userName', username, 'preferredLanguage', 'de') FROM users14;
ANALYZE;
"""


def test_service_accounts_logins_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.users14", "username")
    assert rule["strategy"] == "switch" and rule["by"] == "username", text
    assert rule["cases"] == dict.fromkeys(sorted(SERVICES), "keep"), text
    payload = comment_of(text, "public.events2", "payload")
    assert "REVIEW: userName holds service accounts' logins ('renovate[bot]'" in payload
    with psycopg.connect(dsn) as conn:
        (names,) = conn.execute("SELECT array_agg(username) FROM users14").fetchone() or [[]]
    assert set(SERVICES) <= set(names)
    assert not set(PEOPLE) & set(names)
    assert not any(n.startswith(("anna.", "john.", "maria.")) for n in names)


def test_service_account_shapes() -> None:
    assert all(map(is_service_account, [*SERVICES, "deploy-bot", "service-account-tf"]))
    assert not any(map(is_service_account, [*PEOPLE, "sabot", "admin", "jsa", "mbutte2"]))
