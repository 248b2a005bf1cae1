"""Queries holding addresses at a JSON path: `email` `within: true`, the query kept.

A Grafana dashboard's `panels.*.targets.*.expr` holds PromQL with an address as a label
value: the path got `lorem`, and every panel query broke. Its title 'Requests for
ann@x.org', text mentioning an address, keeps `lorem`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE dashboard (id int PRIMARY KEY, data text NOT NULL);
INSERT INTO dashboard SELECT i, format('{"panels": [{"id": 1,
    "title": "Requests for ann%1$s@orig-mail.example.org",
    "targets": [{"refId": "A",
      "expr": "sum(rate(http_requests_total{user=\\"ann%1$s@orig-mail.example.org\\"}[5m]))"}]}]}',
    i)
  FROM generate_series(1, 60) i;
"""


def test_a_query_keeps_its_text_and_loses_its_address(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    paths = rule_of(text, "public.dashboard", "data")["paths"]
    expr = paths["panels.*.targets.*.expr"]
    assert isinstance(expr, dict) and expr["strategy"] == "email" and expr["within"], text
    title = paths["panels.*.title"]
    assert (title if isinstance(title, str) else title["strategy"]) == "lorem"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT data::jsonb FROM dashboard").fetchall()
    for (doc,) in rows:
        query = doc["panels"][0]["targets"][0]["expr"]
        assert query.startswith('sum(rate(http_requests_total{user="'), query
        assert query.endswith('"}[5m]))') and "@" in query and "orig-mail" not in query
        assert "orig-mail" not in str(doc)
