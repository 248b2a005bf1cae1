"""Webhook URLs: Formbricks' Webhook.url held Zapier catch hooks
'https://hooks.zapier.com/hooks/catch/<id>/<key>/', kept (or given file_name, which
keeps Zapier's key folder): staging posted to production's Zaps. A known service's hook
keeps its scheme and host and has the rest hashed now; other URLs keep their rule, and
a column of ordinary links (a Discord invite included) stays kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import webhook_urls

from .helpers import generate_then_mask, rule_of, strategy_of

ZAPIER = (
    "'https://hooks.zapier.com/hooks/catch/' || (1234567 + g) || '/'"
    " || substr(md5(g::text), 1, 6) || '/'"
)
SCHEMA = f"""
CREATE TABLE "Webhook" (id text PRIMARY KEY, url text NOT NULL);
INSERT INTO "Webhook" SELECT 'wh' || g, (ARRAY[{ZAPIER},
    'https://hook.eu1.make.com/' || md5('m' || g),
    'https://crm.example.com/api/inbound'])[1 + g % 3]
  FROM generate_series(1, 30) g;
CREATE TABLE zaps (id int PRIMARY KEY, target_url varchar(255) UNIQUE);
INSERT INTO zaps SELECT g, {ZAPIER} FROM generate_series(1, 20) g;
CREATE TABLE links (id int PRIMARY KEY, url text);
INSERT INTO links SELECT g, (ARRAY['https://discord.com/invite/formbricks',
    'https://www.example.com/pricing', 'https://hooks.example.org/docs'])[1 + g % 3]
  FROM generate_series(1, 30) g;
"""


def test_hook_prefix() -> None:
    assert webhook_urls.hook_prefix("https://hooks.zapier.com/hooks/catch/1/ab/") == (
        "https://hooks.zapier.com/"
    )
    slack = "https://hooks.slack.com/services/T0A/B0B/xyz"
    assert webhook_urls.hook_prefix(slack) == "https://hooks.slack.com/"
    teams = "https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d"
    assert webhook_urls.hook_prefix(teams) == "https://contoso.webhook.office.com/"
    assert webhook_urls.hook_prefix("https://discord.com/api/webhooks/1/tok") is not None
    assert webhook_urls.hook_prefix("https://discord.com/invite/formbricks") is None
    assert webhook_urls.hook_prefix("https://zapier.com/apps/slack") is None


def test_webhook_paths_are_masked_hosts_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.Webhook", "url")
    assert rule["strategy"] == "prefixed", text
    assert rule["cases"]["https://hooks.zapier.com/"] == "hash"
    assert strategy_of(text, "public.zaps", "target_url") == "prefixed", text
    assert strategy_of(text, "public.links", "url") == "keep", text
    with psycopg.connect(dsn) as conn:
        hooks = conn.execute(
            """SELECT url FROM "Webhook" WHERE url LIKE 'https://hook%'
               UNION ALL SELECT target_url FROM zaps"""
        ).fetchall()
        others = conn.execute(
            """SELECT count(*) FROM "Webhook" WHERE url = 'https://crm.example.com/api/inbound'"""
        ).fetchone()[0]
        links = conn.execute("SELECT count(DISTINCT url) FROM links").fetchone()[0]
    assert len(hooks) == 40
    for (url,) in hooks:
        assert url.startswith(("https://hooks.zapier.com/", "https://hook.eu1.make.com/")), url
        assert "/catch/" not in url and len(url.rsplit("/", 1)[1]) == 32, url
    # distinct hooks stay distinct; the 6 Zaps both tables hold mask alike
    assert len({u for (u,) in hooks}) == 34
    assert others == 10  # not a hook: kept
    assert links == 3
