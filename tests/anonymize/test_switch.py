"""switch: the value column of a key/value table (wp_usermeta) masked per key, end to
end: each key's values by its own strategy, other keys kept, verify clean."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.errors import MaskingRefused
from tests.anonymize.helpers import db_with_rules, fingerprint, mask_and_verify

SCHEMA = """
CREATE TABLE wp_users (id bigint PRIMARY KEY, user_email varchar(100) NOT NULL UNIQUE);
CREATE TABLE wp_usermeta (umeta_id bigserial PRIMARY KEY,
                          user_id bigint NOT NULL REFERENCES wp_users (id),
                          meta_key varchar(255), meta_value text);
INSERT INTO wp_users SELECT i, format('user%s@mail.example', i) FROM generate_series(1, 400) i;
INSERT INTO wp_usermeta (user_id, meta_key, meta_value)
SELECT i, k, CASE k WHEN 'first_name' THEN (ARRAY['Anna', 'Ben', 'Clara'])[1 + i % 3]
                    WHEN 'billing_phone' THEN '+49 171 ' || (1000000 + i)
                    WHEN 'session_tokens' THEN md5(i::text) || md5(i::text)
                    WHEN 'rich_editing' THEN 'true' END
  FROM generate_series(1, 400) i,
       unnest(ARRAY['first_name', 'billing_phone', 'session_tokens', 'rich_editing']) k;
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (1, NULL, 'no key');
"""
RULES = """version: 1
tables:
  public.wp_users:
    columns: {id: keep, user_email: {strategy: email, unique: true}}
  public.wp_usermeta:
    columns:
      umeta_id: keep
      user_id: keep
      meta_key: keep
      meta_value:
        strategy: switch
        by: meta_key
        cases:
          first_name: first_name
          billing_phone: {strategy: digits, keep_prefix: 3}
          session_tokens: "null"
"""
BY_KEY = """
SELECT meta_key, count(*),
       count(*) FILTER (WHERE meta_value IS NULL),
       count(*) FILTER (WHERE meta_value = (ARRAY['Anna', 'Ben', 'Clara'])[1 + user_id % 3]),
       count(*) FILTER (WHERE meta_value LIKE '+49 %'),
       count(*) FILTER (WHERE meta_value = '+49 171 ' || (1000000 + user_id)),
       count(*) FILTER (WHERE meta_value IN ('true', 'no key'))
  FROM wp_usermeta GROUP BY meta_key ORDER BY meta_key NULLS LAST
"""


def test_each_key_is_masked_by_its_own_strategy(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "wp.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(BY_KEY).fetchall()
    # key, rows, NULL, the row's original first name, +49 kept, its original phone,
    # kept as is
    assert rows == [
        ("billing_phone", 400, 0, 0, 400, 0, 0),
        ("first_name", 400, 0, 0, 0, 0, 0),
        ("rich_editing", 400, 0, 0, 0, 0, 400),
        ("session_tokens", 400, 400, 0, 0, 0, 0),
        (None, 1, 0, 0, 0, 0, 1),
    ]


def test_default_fail_refuses_a_key_no_case_lists_and_changes_nothing(
    make_db, tmp_path: Path
) -> None:
    """A key production starts using after the rules were written (a new plugin's
    `billing_phone`) is kept by `default: keep`, personal or not; `default: fail` refuses
    the run before anything changes, naming the key, until a case lists it."""
    strict = RULES.replace(
        '          session_tokens: "null"\n',
        '          session_tokens: "null"\n          rich_editing: keep\n        default: fail\n',
    )
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, strict, "wp.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    with pytest.raises(
        MaskingRefused,
        match=re.escape(
            "meta_value: no case of switch for public.wp_usermeta.meta_key = NULL (default: fail)"
        ),
    ):
        anonymize(dsn, [rules], seed="s", progress=False)
    assert fingerprint(dsn) == before
    with psycopg.connect(dsn) as conn:
        conn.execute("DELETE FROM wp_usermeta WHERE meta_key IS NULL")
        conn.commit()
    assert mask_and_verify(dsn, rules).findings == []
