"""Kept copies found only as plain words: Wiki.js' authentication.strategyKey ('github',
'ldap', 'local') held 3 of the 4 values of a masked displayName ('GitHub', 'LDAP',
'Local'), and verify failed, asking to mask the key Wiki.js routes logins on. A few
plain words in common are product names, not people; many are a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone
from tests.anonymize.helpers import db_with_rules, verify_cli

WORDS = "ARRAY['Amber', 'Birch', 'Cedar', 'Delta', 'Ember', 'Fjord', 'Grove', 'Heath',"
WORDS += " 'Indigo', 'Jasper', 'Kestrel', 'Linden', 'Maple', 'Nettle', 'Osprey', 'Pebble']"
SCHEMA = f"""
CREATE TABLE authentication (key varchar(255) PRIMARY KEY, "strategyKey" varchar(255),
  "displayName" varchar(255));
INSERT INTO authentication VALUES ('local', 'local', 'Local'), ('github', 'github', 'GitHub'),
  ('azure', 'azure', 'Azure AD'), ('ldap1', 'ldap', 'LDAP');
CREATE TABLE handles (id int PRIMARY KEY, handle text, lower_handle text);
INSERT INTO handles SELECT i, w, lower(w) FROM unnest({WORDS}) WITH ORDINALITY u(w, i);
"""
RULES = """version: 1
tables:
  public.authentication:
    columns: {key: keep, strategyKey: keep, displayName: {strategy: hash, prefix: u}}
  public.handles:
    columns: {id: keep, handle: hash, lower_handle: keep}
"""


def test_a_few_plain_words_in_common_are_no_copy(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "r.yaml")
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False)

    code, out = verify_cli(capsys, dsn, rules)
    assert code == 1, out
    assert "public.authentication" not in out.split("kept-copy", 1)[1], out
    assert "public.handles.lower_handle holds 16 original value(s)" in out, out
    assert out.count("kept-copy") == 1, out
