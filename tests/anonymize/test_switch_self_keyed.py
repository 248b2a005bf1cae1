"""A switch keyed by its own column (built-in logins kept, every other one hashed) on
both sides of a foreign key: Flowable's act_id_user.id_ and act_id_membership.user_id_.
Each side's `by:` named itself, so the two rules differed in `by` alone and the
compiler refused the key as "masked differently"; rules init fell back to keep, and the
logins, built from people's names, stayed while the tasks' unkeyed assignees were
hashed. Written with `by:` naming the column or without `by:`, it is one rule."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE act_id_user (id_ varchar(64) PRIMARY KEY, rev_ integer);
CREATE TABLE act_id_membership (user_id_ varchar(64) REFERENCES act_id_user (id_),
  group_id_ varchar(64), PRIMARY KEY (user_id_, group_id_));
INSERT INTO act_id_user VALUES ('admin', 1);
INSERT INTO act_id_user SELECT 'anna.jansen' || i, 1 FROM generate_series(1, 40) i;
INSERT INTO act_id_membership SELECT id_, g FROM act_id_user, unnest(ARRAY['a', 'b']) g;
"""
RULE = "{strategy: switch%s, cases: {admin: keep}, default: {strategy: hash, prefix: u}}"


def _rules(user_by: str, member_by: str) -> str:
    return f"""version: 1
tables:
  public.act_id_user:
    columns:
      id_: {RULE % user_by}
      rev_: keep
  public.act_id_membership:
    columns:
      user_id_: {RULE % member_by}
      group_id_: keep
"""


@pytest.mark.parametrize(
    ("user_by", "member_by"),
    [(", by: id_", ", by: user_id_"), ("", ""), ("", ", by: user_id_")],
    ids=["by-itself", "no-by", "mixed"],
)
def test_self_keyed_switch_masks_both_sides_of_a_key_alike(
    make_db, tmp_path: Path, user_by: str, member_by: str
) -> None:
    dsn, rules = db_with_rules(
        make_db, tmp_path, SCHEMA, _rules(user_by, member_by), "flowable.yaml"
    )
    assert mask_and_verify(dsn, rules).findings == []
    with psycopg.connect(dsn) as conn:
        orphans, admins, plain, hashed = conn.execute(
            "SELECT count(*) FILTER (WHERE u.id_ IS NULL),"
            " count(*) FILTER (WHERE m.user_id_ = 'admin'),"
            " count(*) FILTER (WHERE m.user_id_ LIKE 'anna%'),"
            " count(*) FILTER (WHERE m.user_id_ ~ '^u[0-9a-f]{32}$')"
            " FROM act_id_membership m LEFT JOIN act_id_user u ON u.id_ = m.user_id_"
        ).fetchone()
    assert (orphans, admins, plain, hashed) == (0, 2, 0, 80)
