"""verify finds a masked multi-word name inside a longer kept text: Cal.com's
Booking.title 'Call with Anna Smith' beside a masked User.name 'Anna Smith' passed as
"0 leaks" (the original was hashed whole, the kept text word by word), as did a
Twenty message.subject naming its sender."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, verify_cli

FIRST = (
    "Dennis Anna James Maria Peter Linda John Susan Paul Karen Mark Nancy Brian Lisa "
    "Kevin Betty Jason Helen Gary Sandra"
)
LAST = "Boone Smith Brown Wilson Taylor Clark Lewis Walker Hall Young King Wright Scott Green Baker"

# Every fifth name has a middle name (a run of three words); the titles put the name
# at the end, between punctuation, or before more words.
SCHEMA = f"""
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, plan text NOT NULL);
INSERT INTO users (name, plan) SELECT f || CASE WHEN i % 5 = 0 THEN ' Lee ' ELSE ' ' END || l,
    'team plan'
FROM (SELECT i, (string_to_array('{FIRST}', ' '))[1 + i % 20] AS f,
             (string_to_array('{LAST}', ' '))[1 + i / 20] AS l
      FROM generate_series(0, 299) i) s ORDER BY i;
CREATE TABLE booking (id serial PRIMARY KEY, user_id int REFERENCES users, title text);
INSERT INTO booking (user_id, title) SELECT id, CASE id % 3
    WHEN 0 THEN 'Call with ' || name
    WHEN 1 THEN 'Intro: ' || name || ', 30 min'
    ELSE 'Q3 review (' || name || ') in Berlin' END
FROM users ORDER BY id;
"""

RULES = """version: 1
tables:
  public.users:
    columns: {id: keep, name: full_name, plan: keep}
  public.booking:
    columns: {id: keep, user_id: keep, title: keep}
"""


def test_a_name_inside_a_kept_title_fails_verify_and_a_masked_one_passes(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    expected = "public.booking.title holds 300 original value(s) of masked column public.users.name"
    assert expected in out, out
    assert "public.users.plan" not in out  # 'team plan' names no one

    # The titles rewritten with the masked names (as an application would): no copy
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE booking b SET title = 'Call with ' || u.name || ', 30 min' "
            "FROM users u WHERE u.id = b.user_id"
        )
    code, out = verify_cli(capsys, dsn, rules)
    assert code == 0, out
    assert "kept-copy" not in out
