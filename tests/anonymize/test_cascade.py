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


CHAIN = """
CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees (id),
                        mentor_id int REFERENCES employees (id), left_company bool NOT NULL);
-- a tree: employee i reports to i / 3 (1 is the root); 5 and 40 have left
INSERT INTO employees SELECT i, NULLIF(i / 3, 0), NULL, i IN (5, 40)
  FROM generate_series(1, 300) i;
-- 83 (under 27, 9, 3, 1) is mentored by 15 (under 5); 15 is mentored by 45, who reports
-- to 15 (a cycle of rows); 7 mentors 2, who manages 7 (a cycle that stays)
UPDATE employees SET mentor_id = 15 WHERE id = 83;
UPDATE employees SET mentor_id = 45 WHERE id = 15;
UPDATE employees SET mentor_id = 7 WHERE id = 2;
CREATE TABLE badges (id int PRIMARY KEY, employee_id int NOT NULL REFERENCES employees (id));
INSERT INTO badges SELECT i, i FROM generate_series(1, 300) i;
"""
CHAIN_RULES = """version: 1
tables:
  public.employees:
    delete_where: "left_company"
    delete_cascade: true
    columns: {id: keep, manager_id: keep, mentor_id: keep, left_company: keep}
  public.badges: keep
"""
# every employee below 5 or 40 through manager or mentor, at any depth
GONE = """
WITH RECURSIVE gone AS (
    SELECT id FROM employees WHERE left_company
    UNION SELECT e.id FROM employees e JOIN gone g ON e.manager_id = g.id OR e.mentor_id = g.id)
SELECT array_agg(id ORDER BY id) FROM gone
"""


def test_a_key_of_a_table_to_itself_takes_the_whole_chain(make_db, tmp_path: Path) -> None:
    """employees.manager_id: a manager deleted takes their reports, and their reports'
    reports; the second key (mentor_id) is followed in the same chain, and the rows of
    other tables referencing any of them go too."""
    dsn, rules = db_with_rules(make_db, tmp_path, CHAIN, CHAIN_RULES, "chain.yaml")
    with psycopg.connect(dsn) as conn:
        gone = conn.execute(GONE).fetchone()[0]  # type: ignore[index]
    # reports of reports (5 -> 15 -> 45 -> 135), a mentee outside the tree (83) and its
    # own reports (249..251); 1, 2 and 7 stay, and so does 27, 83's manager
    assert {5, 15, 45, 135, 40, 120, 83, 249, 251} <= set(gone)
    assert not {1, 2, 7, 27} & set(gone)
    deleting = sorted(s.relation for s in build_plan(dsn, [rules]).steps if s.deletes_rows)
    assert deleting == ["public.badges", "public.employees"]
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        left = [i for (i,) in conn.execute("SELECT id FROM employees ORDER BY id")]
        badges = [i for (i,) in conn.execute("SELECT employee_id FROM badges ORDER BY 1")]
    assert left == [i for i in range(1, 301) if i not in gone]
    assert badges == left


THREADS = """
CREATE TABLE users (id int PRIMARY KEY, banned bool NOT NULL);
CREATE TABLE comments (id int, day date, user_id int NOT NULL REFERENCES users (id),
                       parent_id int, parent_day date, PRIMARY KEY (id, day),
                       FOREIGN KEY (parent_id, parent_day) REFERENCES comments (id, day))
  PARTITION BY RANGE (day);
CREATE TABLE comments_a PARTITION OF comments FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE comments_b PARTITION OF comments FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
INSERT INTO users SELECT i, i = 3 FROM generate_series(1, 10) i;
-- comment i by user i % 10 + 1 replies to comment i / 2, a thread across both halves
INSERT INTO comments SELECT i, date '2024-01-01' + i, i % 10 + 1, NULLIF(i / 2, 0),
       CASE WHEN i / 2 > 0 THEN date '2024-01-01' + i / 2 END
  FROM generate_series(1, 360) i;
"""
THREADS_RULES = """version: 1
tables:
  public.users:
    delete_where: "banned"
    delete_cascade: true
    columns: {id: keep, banned: keep}
  public.comments: keep
"""


def test_a_partitioned_table_key_to_itself_takes_replies_across_partitions(
    make_db, tmp_path: Path
) -> None:
    """A banned user's comments go, and every reply under them, whichever partition."""
    dsn, rules = db_with_rules(make_db, tmp_path, THREADS, THREADS_RULES, "threads.yaml")
    gone = set()
    frontier = {i for i in range(1, 361) if i % 10 + 1 == 3}
    while frontier:
        gone |= frontier
        frontier = {i for i in range(1, 361) if i // 2 in frontier} - gone
    assert 2 in gone and 4 in gone and 9 in gone and 1 not in gone  # 9 replies to 4
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        left = {i for (i,) in conn.execute("SELECT id FROM comments")}
        users = [i for (i,) in conn.execute("SELECT id FROM users ORDER BY 1")]
    assert left == set(range(1, 361)) - gone
    assert users == [1, 2, 4, 5, 6, 7, 8, 9, 10]


SET_NULL = """
CREATE TABLE customers (id int PRIMARY KEY, tenant int NOT NULL, internal bool NOT NULL,
                        referred_by int REFERENCES customers (id) ON DELETE SET NULL,
                        UNIQUE (tenant, id));
CREATE TABLE reviews (id int PRIMARY KEY, customer_id int REFERENCES customers (id)
                        ON DELETE SET NULL, stars int NOT NULL);
-- PostgreSQL 15's column list: the tenant stays, the customer goes
CREATE TABLE tickets (id int PRIMARY KEY, tenant int, customer_id int,
                      FOREIGN KEY (tenant, customer_id) REFERENCES customers (tenant, id)
                        ON DELETE SET NULL (customer_id));
-- SET NULL on a NOT NULL column: PostgreSQL could never apply it; the row goes
CREATE TABLE carts (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id)
                      ON DELETE SET NULL);
INSERT INTO customers SELECT i, i % 3, i % 10 = 0, NULLIF(i - 1, 0) FROM generate_series(1, 100) i;
INSERT INTO reviews SELECT i, 1 + i % 100, 1 + i % 5 FROM generate_series(1, 300) i;
INSERT INTO tickets SELECT i, (1 + i % 100) % 3, 1 + i % 100 FROM generate_series(1, 200) i;
INSERT INTO carts SELECT i, i FROM generate_series(1, 100) i;
"""
SET_NULL_RULES = """version: 1
tables:
  public.customers:
    delete_where: "internal"
    delete_cascade: true
    columns: {id: keep, tenant: keep, internal: keep, referred_by: keep}
  public.reviews: keep
  public.tickets: keep
  public.carts: keep
"""


def test_keys_on_delete_set_null_keep_their_rows_with_a_null(make_db, tmp_path: Path) -> None:
    """Reviews of a deleted customer stay, anonymous, as PostgreSQL's DELETE would leave
    them; a SET NULL column list nulls those columns only; a customer referred by a
    deleted one stays; a SET NULL key on a NOT NULL column deletes."""
    dsn, rules = db_with_rules(make_db, tmp_path, SET_NULL, SET_NULL_RULES, "setnull.yaml")
    with psycopg.connect(dsn) as conn:
        # what PostgreSQL's own DELETE does (rolled back) is the expected result; carts'
        # rows go first, as their SET NULL would fail
        conn.execute(
            "DELETE FROM carts WHERE customer_id IN (SELECT id FROM customers WHERE internal)"
        )
        conn.execute("DELETE FROM customers WHERE internal")
        expected = {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("customers", "reviews", "tickets", "carts")
        }
        conn.rollback()
    assert sum(1 for r in expected["reviews"] if r[1] is None) == 30
    assert len(expected["carts"]) == 90
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        got = {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("customers", "reviews", "tickets", "carts")
        }
    assert got == expected
