"""JSON paths found personal that a rule would break are kept, named in a REVIEW note
(rules/json_doubts.py): Metabase's saved questions (MBQL tuples, SQL queries, column
labels) and Chatwoot's browser versions."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.rules.json_doubts import doubt_notes, is_sql, trusted_paths
from dbrefresh.rules.json_paths import read_documents

from .helpers import comment_of, generate_then_mask, rule_of

# report_card.dataset_query: an MBQL filter whose position 2 holds an email, a clause
# or a number; or a native SQL query (a third with an address in it). result_metadata:
# column labels under display_name, the owner's name under creator.display_name.
# conversations: a browser version, a subject, and cc addresses (masked).
SCHEMA = """
CREATE TABLE report_card (id int PRIMARY KEY, dataset_query text NOT NULL,
                          result_metadata text NOT NULL);
INSERT INTO report_card SELECT g, CASE
  WHEN g % 4 = 0 THEN '{"type":"query","query":{"source-table":12,"filter":'
                   || '["=",["field",45,null],"person' || g || '@mail.example"]}}'
  WHEN g % 4 = 1 THEN '{"type":"query","query":{"source-table":12,"filter":'
                   || '["and",["=",["field",45,null],"active"],["=",["field",46,null],3]]}}'
  WHEN g % 4 = 2 THEN '{"type":"query","query":{"source-table":12,"filter":'
                   || '["between",["field",47,null],10,20]}}'
  ELSE json_build_object('type', 'native', 'native', json_build_object('query',
       CASE WHEN g % 3 = 0 THEN 'SELECT * FROM customers WHERE email = ''c' || g
                                || '@mail.example'''
            ELSE 'SELECT count(*) FROM orders WHERE total > ' || g END))::text END,
  json_build_array(json_build_object('name', 'EMAIL', 'display_name', 'Email'),
                   json_build_object('name', 'TOTAL', 'display_name', 'Total'),
                   json_build_object('creator', json_build_object(
                       'display_name', (ARRAY['Anna Schmidt', 'John Miller', 'Maria Garcia',
                                              'Peter Jones', 'Laura Smith'])[1 + g % 5]
                                       || ' ' || g)))::text
FROM generate_series(1, 60) g;
CREATE TABLE conversations (id int PRIMARY KEY, additional_attributes jsonb);
INSERT INTO conversations SELECT g, jsonb_build_object(
    'mail_subject', 'Order ' || g || ' delayed',
    'cc_emails', jsonb_build_array('cc' || g || '@mail.example', 'dd' || g || '@mail.example'),
    'browser', jsonb_build_object('browser_name', 'Chrome',
                                  'browser_version', (100 + g % 20)::text || '.0.0.0'))
FROM generate_series(1, 40) g;
"""


def test_paths_a_rule_would_break_are_kept_and_named(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.report_card", "dataset_query") == "keep"
    note = comment_of(text, "public.report_card", "dataset_query")
    assert "REVIEW: kept, masking would break it: native.query: 15 sampled values are SQL" in note
    assert "query.filter.2: an array position whose 45 sampled values are of several" in note
    assert rule_of(text, "public.report_card", "result_metadata") == {
        "strategy": "jsonb",
        "paths": {"*.creator.display_name": "full_name"},
    }
    note = comment_of(text, "public.report_card", "result_metadata")
    assert "0.display_name: its 60 sampled values are a few repeated labels ('Email')" in note
    assert rule_of(text, "public.conversations", "additional_attributes") == {
        "strategy": "jsonb",
        "paths": {"cc_emails": "email"},
    }
    assert "browser.browser_version: its values look like IP addresses, but its key names a " in (
        comment_of(text, "public.conversations", "additional_attributes")
    )
    with psycopg.connect(dsn) as conn:
        cards = conn.execute(
            "SELECT id, dataset_query, result_metadata FROM report_card ORDER BY id"
        ).fetchall()
        conversations = conn.execute(
            "SELECT id, additional_attributes FROM conversations ORDER BY id"
        ).fetchall()
    for card_id, query, metadata in cards:
        if card_id % 4 == 2:
            assert json.loads(query)["query"]["filter"] == ["between", ["field", 47, None], 10, 20]
        if card_id % 4 == 3 and card_id % 3:
            assert json.loads(query)["native"]["query"].startswith("SELECT count(*) FROM orders")
        labels = json.loads(metadata)
        assert [c.get("display_name") for c in labels[:2]] == ["Email", "Total"]
        assert str(card_id) not in labels[2]["creator"]["display_name"]
    for conversation_id, document in conversations:
        assert document["mail_subject"] == f"Order {conversation_id} delayed"
        assert document["browser"]["browser_version"] == f"{100 + conversation_id % 20}.0.0.0"
        assert f"cc{conversation_id}@" not in json.dumps(document["cc_emails"])


def test_doubts_over_a_sample() -> None:
    """A homogeneous array stays masked; SQL holding contacts in most values too."""
    read = read_documents(
        [
            json.dumps({"cc": [f"a{i}@x.example", f"b{i}@x.example"], "ver": "1.2.3.4"})
            for i in range(9)
        ]
    )
    assert [f.path for f in trusted_paths(read.paths, "t")] == ["cc.0", "cc.1"]
    assert doubt_notes(read.paths, "t") == [
        "REVIEW: kept, masking would break it: ver: its values look like IP addresses, but "
        "its key names a version"
    ]
    sql = [json.dumps({"q": f"SELECT 1 FROM t WHERE mail = 'u{i}@x.example'"}) for i in range(9)]
    assert [f.path for f in trusted_paths(read_documents(sql).paths, "t")] == ["q"]


def test_sql_is_told_from_notes_and_a_few_orders_are_no_labels() -> None:
    assert is_sql("SELECT * FROM customers") and is_sql("/* q */ with t as (select 1) table t")
    assert is_sql("UPDATE users SET a = 1") and is_sql("DELETE FROM t WHERE id = 2")
    assert not is_sql("Update: called the customer back") and not is_sql("Select the plan")
    orders = read_documents([json.dumps({"customer": {"full_name": "Zorro Qwx"}})] * 4)
    assert [f.path for f in trusted_paths(orders.paths, "orders")] == ["customer.full_name"]
