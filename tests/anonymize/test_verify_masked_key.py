"""Leak samples of a table whose primary key is masked by its own value: Flowable's
act_id_user, its login key hashed ('admin' kept) and its other kept columns alike in
every row. The samples found their row by a digest of the kept columns, which every row
shared, so a masked first name equal to ANOTHER user's original counted as a survivor,
and verify failed a clean run ("4 original value(s) survived"). A key masked by its own
value alone is computed for the samples as the rewrite computes it: each sample finds
its own row again, and only a value left in its own row is a leak."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE act_id_user (id_ varchar(64) PRIMARY KEY, rev_ integer, first_ varchar(255));
INSERT INTO act_id_user VALUES ('admin', 1, 'n0');
INSERT INTO act_id_user SELECT 'user' || g, 1, 'n' || g FROM generate_series(1, 60) g;
"""
# each first name becomes the next user's original: no row keeps its own
RULES = """version: 1
tables:
  public.act_id_user:
    columns:
      id_: {strategy: switch, cases: {admin: keep}, default: {strategy: hash, prefix: u}}
      rev_: keep
      first_: {strategy: sql, expression: "'n' || ((substr(first_, 2)::int + 1) % 61)"}
"""


def test_samples_find_their_row_by_the_masked_key(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "flowable.yaml")
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE act_id_user SET first_ = 'n7' WHERE first_ = 'n8'")  # n7's own
        conn.commit()
    report = verify_report(dsn, [rules], seed="s")
    messages = [f.message for f in report.findings]
    assert "public.act_id_user.first_: 1 original value(s) survived masking" in messages
