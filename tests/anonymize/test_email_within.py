"""email `within: true`: each address inside a text masked in place, the rest kept.

A Grafana panel's PromQL 'sum(rate(http_requests_total{user="ann@x.org"}[5m]))' got
`lorem` as a whole: every panel query broke. Masked `within`, the query keeps its
text, the address becomes the one a column of single addresses gets, text without an
address stays as it is, and verify finds an original written back.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE NOT NULL);
CREATE TABLE panels (id int PRIMARY KEY, expr text, doc jsonb);
INSERT INTO users SELECT i, format('ann%s@orig-mail.example.org', i)
  FROM generate_series(1, 30) i;
INSERT INTO panels SELECT i,
  CASE WHEN i % 3 = 0 THEN 'sum(rate(node_cpu_seconds_total[5m]))'
       ELSE format('sum(rate(http_requests_total{user="ann%1$s@orig-mail.example.org",'
                   'cc=~"bo%1$s@orig-mail.example.org|x"}[5m])) @ 1609746000', i) END,
  NULL FROM generate_series(1, 30) i;
UPDATE panels SET doc = jsonb_build_object('targets', jsonb_build_array(
  jsonb_build_object('expr', expr, 'refId', 'A')));
"""
RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      email: {strategy: email, unique: true}
  public.panels:
    columns:
      id: keep
      expr: {strategy: email, unique: true, within: true}
      doc: {strategy: jsonb, paths: {targets.*.expr: {strategy: email, unique: true, within: true}}}
"""


def test_addresses_inside_a_query_are_masked_in_place(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "rules.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT p.id, p.expr, p.doc, u.email FROM panels p JOIN users u USING (id)"
        ).fetchall()
    for row_id, expr, doc, email in rows:
        assert doc["targets"][0]["expr"] == expr and doc["targets"][0]["refId"] == "A"
        if row_id % 3 == 0:
            assert expr == "sum(rate(node_cpu_seconds_total[5m]))"
            continue
        assert "orig-mail" not in expr
        # the same address a column of single addresses got; the query around it kept
        head = f'sum(rate(http_requests_total{{user="{email}",cc=~"'
        assert expr.startswith(head), expr
        assert expr.endswith('|x"}[5m])) @ 1609746000')
        assert expr.count("@") == 3


def test_an_address_written_back_is_a_leak(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "rules.yaml")
    with psycopg.connect(dsn) as conn:
        (before,) = conn.execute("SELECT expr FROM panels WHERE id = 1").fetchone()
    mask_and_verify(dsn, rules)
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE panels SET expr = %s WHERE id = 1", (before,))
    report = verify_report(dsn, [rules], seed="s")
    assert report.leaks["public.panels.expr"] == 1
