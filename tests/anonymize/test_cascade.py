"""delete_cascade: rows a delete_where removes take the rows referencing them along,
all the way down, whether the referencing tables are masked, kept or partitioned."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import build_plan
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, internal bool NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id),
                     amount int);
CREATE TABLE order_items (id int, order_id int REFERENCES orders (id), sku text,
                          placed date NOT NULL, PRIMARY KEY (id, placed))
  PARTITION BY RANGE (placed);
CREATE TABLE order_items_2023 PARTITION OF order_items
  FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE order_items_2024 PARTITION OF order_items
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE referrals (id int PRIMARY KEY, referrer int REFERENCES customers (id),
                        referred int REFERENCES customers (id));
INSERT INTO customers SELECT i, format('c%s@shop.example', i), i % 10 = 0
  FROM generate_series(1, 200) i;
INSERT INTO orders SELECT i, 1 + i % 200, i FROM generate_series(1, 600) i;
INSERT INTO order_items SELECT i, 1 + i % 600, 'sku', date '2023-06-01' + (i % 365)
  FROM generate_series(1, 1800) i;
INSERT INTO referrals SELECT i, 1 + i % 200, 1 + (i * 7) % 200 FROM generate_series(1, 100) i;
"""
RULES = """version: 1
tables:
  public.customers:
    delete_where: "internal"
    delete_cascade: true
    columns:
      id: keep
      email: {strategy: email, unique: true}
      internal: keep
  public.orders:
    columns: {id: keep, customer_id: keep, amount: {strategy: noise, relative: 0.1}}
  public.order_items: keep
  public.referrals: keep
"""
LEFT = """
SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders),
       (SELECT count(*) FROM order_items), (SELECT count(*) FROM referrals)
"""
EXPECTED = """
SELECT (SELECT count(*) FROM customers c WHERE NOT c.internal),
       (SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE NOT c.internal),
       (SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id
         JOIN customers c ON c.id = o.customer_id WHERE NOT c.internal),
       (SELECT count(*) FROM referrals r JOIN customers a ON a.id = r.referrer
         JOIN customers b ON b.id = r.referred WHERE NOT a.internal AND NOT b.internal)
"""


def test_deleted_rows_take_what_references_them_along(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "cascade.yaml")
    with psycopg.connect(dsn) as conn:
        expected = conn.execute(EXPECTED).fetchone()
        before = conn.execute(LEFT).fetchone()
    assert expected is not None and before is not None
    assert all(e < b for e, b in zip(expected, before, strict=True))  # each loses rows
    plan = build_plan(dsn, [rules])
    deleting = sorted(s.relation for s in plan.steps if s.deletes_rows)
    assert deleting == [
        "public.customers",
        "public.order_items_2023",
        "public.order_items_2024",
        "public.orders",
        "public.referrals",
    ]
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        assert conn.execute(LEFT).fetchone() == expected
        assert conn.execute("SELECT count(*) FROM customers WHERE internal").fetchone() == (0,)


def test_without_delete_cascade_nothing_else_is_deleted(make_db, tmp_path: Path) -> None:
    rules_text = RULES.replace("    delete_cascade: true\n", "").replace(
        '    delete_where: "internal"\n', ""
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, rules_text, "plain.yaml")
    assert not any(s.deletes_rows for s in build_plan(dsn, [rules]).steps)


CYCLE = """
CREATE TABLE alpha (id int PRIMARY KEY, beta_id int, gone bool NOT NULL);
CREATE TABLE beta (id int PRIMARY KEY, alpha_id int REFERENCES alpha (id));
ALTER TABLE alpha ADD FOREIGN KEY (beta_id) REFERENCES beta (id);
INSERT INTO alpha SELECT i, NULL, i % 4 = 0 FROM generate_series(1, 40) i;
INSERT INTO beta SELECT i, 1 + i % 40 FROM generate_series(1, 80) i;
"""
CYCLE_RULES = """version: 1
tables:
  public.alpha:
    delete_where: "gone"
    delete_cascade: true
    columns: {id: keep, beta_id: keep, gone: keep}
  public.beta: keep
"""


def test_a_cycle_of_keys_is_followed_up_to_the_key_closing_it(make_db, tmp_path: Path) -> None:
    """alpha and beta reference each other: starting from alpha, beta's key to alpha is
    followed (whichever table the compiler looks at first); alpha's key back to beta,
    closing the cycle, is not."""
    dsn, rules = db_with_rules(make_db, tmp_path, CYCLE, CYCLE_RULES, "cycle.yaml")
    deleting = sorted(s.relation for s in build_plan(dsn, [rules]).steps if s.deletes_rows)
    assert deleting == ["public.alpha", "public.beta"]
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM alpha), (SELECT count(*) FROM beta),"
            " (SELECT count(*) FROM beta b LEFT JOIN alpha a ON a.id = b.alpha_id"
            "  WHERE a.id IS NULL)"
        ).fetchone()
    assert left == (30, 60, 0)
