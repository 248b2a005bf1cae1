"""Address lists at JSON paths: `email` with `lists: true`, each address masked in place.

Grafana's alert_notification.settings holds `addresses` 'a@x;b@y;c@z' and a dashboard's
templating variable `query` 'a@x,b@y': the paths got plain `email`, and each list
became one address (alerts reached one recipient, the variable offered one value).
A path of single addresses keeps plain `email`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE alert_notification (id int PRIMARY KEY, settings text NOT NULL);
INSERT INTO alert_notification SELECT i, json_build_object(
    'addresses', format('ann%1$s@orig-mail.example.org;bo%1$s@orig-mail.example.org;'
                        'cy%1$s@orig-mail.example.org', i),
    'singleEmail', false, 'owner', format('dee%s@orig-mail.example.org', i))::text
  FROM generate_series(1, 60) i;
CREATE TABLE dashboard (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO dashboard SELECT i, jsonb_build_object('templating', jsonb_build_object(
    'list', jsonb_build_array(jsonb_build_object('name', 'customer', 'type', 'custom',
      'query', format('ed%1$s@orig-mail.example.org,fay%1$s@orig-mail.example.org', i)))))
  FROM generate_series(1, 60) i;
"""


def test_each_address_of_a_list_is_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    settings = rule_of(text, "public.alert_notification", "settings")["paths"]
    assert isinstance(settings["addresses"], dict), text
    assert settings["addresses"].get("lists") is True, text
    owner = settings["owner"]
    assert owner == "email" or "lists" not in owner  # single addresses: no lists
    query = rule_of(text, "public.dashboard", "data")["paths"]["templating.list.*.query"]
    assert isinstance(query, dict) and query.get("lists") is True, text
    with psycopg.connect(dsn) as conn:
        alerts = conn.execute("SELECT settings::jsonb FROM alert_notification").fetchall()
        queries = conn.execute("SELECT data FROM dashboard").fetchall()
    for (doc,) in alerts:
        addresses = doc["addresses"].split(";")
        assert len(addresses) == 3 and all("@" in a for a in addresses), doc
        assert len(set(addresses)) == 3
        assert "orig-mail" not in str(doc) and doc["singleEmail"] is False
    for (doc,) in queries:
        listed = doc["templating"]["list"][0]["query"].split(",")
        assert len(listed) == 2 and all("@" in a and "orig-mail" not in a for a in listed)
