"""Report targets that are address lists or chat channels: `forms`, channels kept.

Superset's report_recipient.recipient_config_json {"target": ...} holds an address list
for an Email recipient and '#sales-reports' or 'C04ABCDEF12,#finance' for a Slack one.
The path got `email` (channels became addresses) or `lorem` (address lists became
words). Each value is now masked by its form: addresses as addresses, channels kept.
The same holds for a text column of such targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE report_recipient (id int PRIMARY KEY, type varchar(50) NOT NULL,
    recipient_config_json text);
INSERT INTO report_recipient VALUES
 (1, 'Email', '{"target": "ann.lee@orig-acme.io,bob.stone@orig-acme.io", "ccTarget": ""}'),
 (2, 'Slack', '{"target": "#sales-reports"}'),
 (3, 'SlackV2', '{"target": "C04ABCDEF12,#finance"}'),
 (4, 'Email', '{"target": "carla.mendes@orig-acme.io"}'),
 (5, 'Slack', '{"target": "#ops-alerts"}');
CREATE TABLE alert_route (id int PRIMARY KEY, recipient text);
INSERT INTO alert_route SELECT i, CASE WHEN i % 2 = 0 THEN format('#team-%s', i)
    ELSE format('oncall%s@orig-acme.io', i) END FROM generate_series(1, 20) i;
"""


def test_addresses_masked_and_channels_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    target = rule_of(text, "public.report_recipient", "recipient_config_json")["paths"]["target"]
    assert target["strategy"] == "forms" and target["default"] == "keep", text
    assert target["cases"]["email"]["lists"], text
    route = rule_of(text, "public.alert_route", "recipient")
    assert route["strategy"] == "forms" and route["default"] == "keep", text
    assert rule_of(text, "public.report_recipient", "type") == "keep"
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT id, recipient_config_json FROM report_recipient"))
        routes = dict(conn.execute("SELECT id, recipient FROM alert_route"))
    targets = {id_: json.loads(doc)["target"] for id_, doc in rows.items()}
    assert targets[2] == "#sales-reports" and targets[5] == "#ops-alerts"
    assert targets[3] == "C04ABCDEF12,#finance"
    first, second = targets[1].split(",")
    assert "@" in first and "@" in second and "orig-acme" not in targets[1]
    assert "@" in targets[4] and "orig-acme" not in targets[4]
    for id_, recipient in routes.items():
        if id_ % 2 == 0:
            assert recipient == f"#team-{id_}"
        else:
            assert "@" in recipient and "orig-acme" not in recipient
