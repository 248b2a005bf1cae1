"""The kept-copy check reads each table it compares once, whatever the planner knows.

Right after anonymize, dbrefresh.leak_hashes has no statistics: the planner took the
samples for one row and joined them back to the compared values by a nested loop over
both (20,000 x 8,000 pairs: 10-20 s a table on 200,000 users), and could read a
referencing table without an index on its foreign key once per sampled row. The
statements verify runs are explained (ANALYZE) in verify's own sessions, settings and
all: no scan of a table or of a materialized part may run more than once, also when
the planner prefers nested loops (as it may on no statistics, or stale ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.anonymize.session import prepare_session
from dbrefresh.anonymize.verify import verify_plan
from dbrefresh.catalog import read_catalog
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules
from dbrefresh.strategies.keyed import derive_key
from tests.anonymize.helpers import db_with_rules

# members: a primary key; guests: none (rows are keyed by a digest of their kept
# columns, which no index serves). posts and visits reference them without an index on
# the key; the posts' titles copy the names.
SCHEMA = """
CREATE TABLE members (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL,
    status text NOT NULL, bio text NOT NULL);
INSERT INTO members SELECT i, format('Olen Vasquez%s', i), format('olen%s@corp.example', i),
    'active', format('bio number %s', i % 50) FROM generate_series(1, 3000) i;
CREATE TABLE posts (id int PRIMARY KEY, member_id int NOT NULL REFERENCES members,
    title text NOT NULL, tag text NOT NULL);
INSERT INTO posts SELECT i, 1 + (i * 7) % 3000, format('Olen Vasquez%s', 1 + (i * 7) % 3000),
    format('tag%s', i % 20) FROM generate_series(1, 6000) i;
CREATE TABLE guests (id int NOT NULL UNIQUE, name text NOT NULL, city text NOT NULL);
INSERT INTO guests SELECT i, format('Guest Person%s', i), format('Town%s', i % 40)
FROM generate_series(1, 3000) i;
CREATE TABLE visits (id int PRIMARY KEY, guest_id int NOT NULL REFERENCES guests (id),
    remark text NOT NULL);
INSERT INTO visits SELECT i, 1 + i % 3000, format('remark %s', i % 30)
FROM generate_series(1, 6000) i;
"""

RULES = """version: 1
tables:
  public.members:
    columns: {id: keep, name: full_name, email: email, status: keep, bio: keep}
  public.posts:
    columns: {id: keep, member_id: keep, title: keep, tag: keep}
  public.guests:
    columns: {id: keep, name: full_name, city: keep}
  public.visits:
    columns: {id: keep, guest_id: keep, remark: keep}
"""


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("planner", ["as it is", "preferring nested loops"])
def test_each_compared_table_is_read_once(make_db, tmp_path: Path, planner: str) -> None:
    dsn, rules_path = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules_path], seed="s", progress=False)
    plans: list[dict[str, Any]] = []

    class Explaining(psycopg.Cursor[Any]):
        """Explains each kept-copy statement in the session that then runs it; for a
        planner that takes a nested loop wherever it may, with hash and merge joins off
        unless nested loops are."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            if not (isinstance(query, str) and query.startswith("WITH s AS")):
                return super().execute(query, params, **kwargs)
            with self.connection.cursor() as cur:
                if planner == "preferring nested loops":
                    cur.execute(
                        "SELECT set_config('enable_hashjoin', v, true), "
                        "set_config('enable_mergejoin', v, true) FROM (SELECT CASE WHEN "
                        "current_setting('enable_nestloop') = 'on' THEN 'off' ELSE 'on' END) x(v)"
                    )
                explain = "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query
                plans.append(cur.execute(explain, params).fetchone()[0][0]["Plan"])
                result = super().execute(query, params, **kwargs)
                cur.execute(
                    "SELECT set_config('enable_hashjoin', 'on', true), "
                    "set_config('enable_mergejoin', 'on', true)"
                )
            return result

    with psycopg.connect(dsn) as conn:
        catalog = read_catalog(conn)
    plan = compile_plan(load_rules([rules_path]), catalog)

    def open_session() -> psycopg.Connection[Any]:
        conn = psycopg.connect(dsn)
        conn.cursor_factory = Explaining
        prepare_session(conn, derive_key("s"), plan.rules_digest, replica=False)
        return conn

    report = verify_plan(open_session, catalog, plan, workers=1)
    # (how many of the titles depends on which 2,000 posts the plan compares)
    assert [f.message.split(" holds ")[0] for f in report.findings] == ["public.posts.title"]
    assert "of masked column public.members.name (" in report.findings[0].message
    assert len(plans) == 4  # each table and the one referencing it
    repeated = [
        f"{n['Node Type']} on {n.get('Relation Name') or n.get('CTE Name')} x{n['Actual Loops']}"
        for explained in plans
        for n in _nodes(explained)
        if n["Node Type"] in ("Seq Scan", "CTE Scan") and n["Actual Loops"] > 1
    ]
    assert repeated == [], repeated
