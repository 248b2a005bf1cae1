"""verify finds a masked name spelled as a kept login: Synapse's profiles.user_id
'dennis.boone' beside a masked displayname 'Dennis Boone', and an id
'@dennis.boone:example.org' in a table referencing it, passed as "0 leaks" (the kept
values were hashed whole and word by word, never as the name they spell)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, run_cli

FIRST = (
    "Dennis Anna James Maria Peter Linda John Susan Paul Karen Mark Nancy Brian Lisa "
    "Kevin Betty Jason Helen Gary Sandra"
)
LAST = "Boone Smith Brown Wilson Taylor Clark Lewis Walker Hall Young King Wright Scott Green Baker"

SCHEMA = f"""
CREATE TABLE profiles (id int PRIMARY KEY, user_id text NOT NULL, displayname text NOT NULL,
    status text NOT NULL);
INSERT INTO profiles SELECT i, lower(f || sep || l), f || ' ' || l, 'online-now'
FROM (SELECT i, (string_to_array('{FIRST}', ' '))[1 + i % 20] AS f,
             (string_to_array('{LAST}', ' '))[1 + i / 20] AS l,
             (ARRAY['.', '_', '-'])[1 + i % 3] AS sep
      FROM generate_series(0, 299) i) s;
CREATE TABLE users (id int PRIMARY KEY, profile_id int NOT NULL REFERENCES profiles,
    mxid text NOT NULL);
INSERT INTO users SELECT id, id, '@' || user_id || ':example.org' FROM profiles;
"""

RULES = """version: 1
tables:
  public.profiles:
    columns: {id: keep, user_id: keep, displayname: full_name, status: keep}
  public.users:
    columns: {id: keep, profile_id: keep, mxid: keep}
"""


def test_a_kept_login_spelling_a_masked_name_fails_verify(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)
    result = run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "s")
    out = result.out + result.err
    assert result.code == 1, out
    for copy in ("public.profiles.user_id", "public.users.mxid"):
        assert f"{copy} holds 300 original value(s) of masked column public.profiles" in out
    assert "public.profiles.status" not in out  # 'online-now' spells no one
