"""SQL in text columns and JSON paths holding addresses: `email` `within: true`.

Superset's query.sql, query.executed_sql and saved_query.sql hold SQL Lab queries
("... WHERE customer_email = 'joel@x.net'"): judged text mentioning addresses they got
`lorem`, and every saved query became words. A chart's
params.adhoc_filters.*.sqlExpression ("customer_email = 'joel@x.net'", no brackets) did
too. Each address is now masked in place, alike in every column; a column whose
queries also name a person in a literal ('Amanda Maxwell', or compared with a name
column: full_name ILIKE '%Lee%') keeps `lorem` (`within` masks addresses only).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

_FILTER = (
    '{"viz_type": "table", "adhoc_filters": [{"clause": "WHERE", "expressionType": "SQL",'
    ' "sqlExpression": "customer_email = \'\'%1$s\'\'"}], "row_limit": 1000}'
)
SCHEMA = f"""
CREATE TABLE query (id int PRIMARY KEY, client_id varchar(11) UNIQUE NOT NULL,
    status varchar(16), sql text, executed_sql text);
CREATE TABLE saved_query (id int PRIMARY KEY, label varchar(256), sql text);
CREATE TABLE slices (id int PRIMARY KEY, slice_name varchar(250), params text);
CREATE TABLE tab_state (id int PRIMARY KEY, sql text);
INSERT INTO query SELECT i, 'c' || i, 'success',
    format('SELECT count(*) FROM orders WHERE customer_email = ''cust%s@orig-mail.example.net''
      GROUP BY status', i),
    format('SELECT count(*) FROM orders WHERE customer_email = ''cust%s@orig-mail.example.net''
      GROUP BY status LIMIT 1001', i)
  FROM generate_series(1, 40) i;
INSERT INTO saved_query SELECT i, 'lookup ' || i,
    format('SELECT * FROM orders WHERE customer_email = ''cust%s@orig-mail.example.net''', i)
  FROM generate_series(1, 40) i;
INSERT INTO slices SELECT i, 'Orders ' || i,
    format('{_FILTER}', format('cust%s@orig-mail.example.net', i))
  FROM generate_series(1, 3) i;
INSERT INTO tab_state SELECT i, CASE WHEN i % 4 = 0
    THEN 'SELECT * FROM orders WHERE customer_name = ''Amanda Maxwell'''
    ELSE format('SELECT * FROM orders WHERE customer_email = ''cust%s@orig-mail.example.net''',
      i) END
  FROM generate_series(1, 40) i;
CREATE TABLE lookup (id int PRIMARY KEY, sql text);
INSERT INTO lookup SELECT i, format('SELECT * FROM customers WHERE email =
    ''c%s@orig-mail.example.net'' OR full_name ILIKE ''%%%s%%''', i,
    (ARRAY['Garcia','Hernandez','Lee'])[1 + i % 3])
  FROM generate_series(1, 40) i;
"""


def test_sql_keeps_its_text_and_loses_its_addresses(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in [("query", "sql"), ("query", "executed_sql"), ("saved_query", "sql")]:
        rule = rule_of(text, f"public.{table}", column)
        assert isinstance(rule, dict) and rule["strategy"] == "email" and rule["within"], text
    params = rule_of(text, "public.slices", "params")["paths"]
    expression = params["adhoc_filters.*.sqlExpression"]
    assert isinstance(expression, dict) and expression["within"], text
    assert strategy_of(text, "public.tab_state", "sql") == "lorem"  # 'Amanda Maxwell'
    assert strategy_of(text, "public.lookup", "sql") == "lorem"  # full_name ILIKE '%Lee%'
    for column in ("label", "status", "client_id"):
        table = "saved_query" if column == "label" else "query"
        assert rule_of(text, f"public.{table}", column) == "keep", text
    with psycopg.connect(dsn) as conn:
        queries = conn.execute("SELECT id, sql, executed_sql FROM query ORDER BY id").fetchall()
        saved = dict(conn.execute("SELECT id, sql FROM saved_query").fetchall())
        charts = conn.execute("SELECT params FROM slices").fetchall()
        labels = conn.execute("SELECT label FROM saved_query ORDER BY id").fetchall()
    for id_, sql, executed in queries:
        assert sql.startswith("SELECT count(*) FROM orders WHERE customer_email = '"), sql
        assert "orig-mail" not in sql and "@" in sql and sql.endswith("GROUP BY status")
        assert executed == sql + " LIMIT 1001"  # the same address masked alike
        address = sql.split("'")[1]
        assert saved[id_] == f"SELECT * FROM orders WHERE customer_email = '{address}'"
    for (params_text,) in charts:
        expression_text = json.loads(params_text)["adhoc_filters"][0]["sqlExpression"]
        assert expression_text.startswith("customer_email = '") and "@" in expression_text
        assert "orig-mail" not in expression_text
    assert labels[0] == ("lookup 1",)


_OTHER_FILTER = (
    '{"adhoc_filters": [{"expressionType": "SQL", "sqlExpression":'
    " \"customer_email = ''%1$s'' AND username = ''%2$s''\"}]}"
)
OTHER_LITERALS = f"""
CREATE TABLE q_iban (id int PRIMARY KEY, sql text);
INSERT INTO q_iban SELECT g, format('SELECT * FROM payouts WHERE email =
    ''user%s@orig-mail.example.org'' AND iban = ''GB%sEODJ4688569624%s''', g, 10 + g,
    lpad(g::text, 4, '0')) FROM generate_series(1, 30) g;
CREATE TABLE q_street (id int PRIMARY KEY, sql text);
INSERT INTO q_street SELECT g, format('SELECT * FROM orders WHERE email =
    ''user%s@orig-mail.example.org'' AND note = ''%s Brown Spring Suite 043''', g, 1000 + g)
  FROM generate_series(1, 30) g;
CREATE TABLE q_birth (id int PRIMARY KEY, sql text);
INSERT INTO q_birth SELECT g, format('SELECT * FROM users WHERE email =
    ''user%s@orig-mail.example.org'' AND birthdate = ''%s''', g, date '1950-01-01' + g * 97)
  FROM generate_series(1, 30) g;
CREATE TABLE q_insert (id int PRIMARY KEY, sql text);
INSERT INTO q_insert SELECT g, format('INSERT INTO users (email, username) VALUES
    (''user%s@orig-mail.example.org'', ''katiepadilla%s'')', g, g) FROM generate_series(1, 30) g;
CREATE TABLE q_plain (id int PRIMARY KEY, sql text);
INSERT INTO q_plain SELECT g, format('SELECT * FROM orders WHERE email =
    ''user%s@orig-mail.example.org'' AND status = ''paid'' AND created_at > ''2024-01-01''', g)
  FROM generate_series(1, 30) g;
CREATE TABLE charts (id int PRIMARY KEY, params jsonb);
INSERT INTO charts SELECT g, format('{_OTHER_FILTER}',
    format('user%s@orig-mail.example.org', g), 'katiepadilla' || g)::jsonb
  FROM generate_series(1, 5) g;
"""


def test_queries_with_other_personal_literals_keep_lorem(make_db, tmp_path: Path) -> None:
    """`within` masks addresses only: an IBAN, a street, a birth date or a login beside
    the address (by the column it is compared with or inserted into, or by its value)
    survived it. Those queries keep `lorem`; a status and a date do not stop `within`."""
    dsn, text = generate_then_mask(make_db, tmp_path, OTHER_LITERALS)
    for table in ("q_iban", "q_street", "q_birth", "q_insert"):
        assert strategy_of(text, f"public.{table}", "sql") == "lorem", text
    plain = rule_of(text, "public.q_plain", "sql")
    assert isinstance(plain, dict) and plain["within"], text
    expression = rule_of(text, "public.charts", "params")["paths"]["adhoc_filters.*.sqlExpression"]
    assert not (isinstance(expression, dict) and expression.get("within")), text
    with psycopg.connect(dsn) as conn:
        masked = [
            conn.execute(f"SELECT string_agg(sql, ' ') FROM {table}").fetchone()[0]
            for table in ("q_iban", "q_street", "q_birth", "q_insert", "q_plain")
        ]
        params = conn.execute("SELECT string_agg(params::text, ' ') FROM charts").fetchone()[0]
    for found in ("EODJ", "Brown Spring", "1950-", "katiepadilla", "orig-mail"):
        assert found not in " ".join(masked) + params, found
    assert masked[4].count("status = 'paid'") == 30  # the query kept, its address masked
