"""`rules check --dsn` finds the refusals anonymize would raise on the data.

fold_case on a column unique case-sensitively holding 'Ann@x.de' and 'ann@x.de', and a
switch's `default: fail` meeting a key no case lists, were evaluated only by
anonymize's preflight: `rules check --dsn` said ok, the nightly exited 2. Now the check
reports them at the rule's file:line, read-only; and anonymize's refusal says only the
refusal, not an internal function name and a tail about CHECK constraints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dbrefresh.anonymize.api import mark_clone
from tests.anonymize.helpers import db_with_rules, fingerprint, run_cli

CASE_VARIANTS = """
CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL UNIQUE);
INSERT INTO accounts VALUES (1, 'Ann@x.de'), (2, 'ann@x.de'), (3, 'bo@x.de');
"""
FOLDED = """version: 1
tables:
  public.accounts:
    columns:
      id: keep
      email: {strategy: email, fold_case: true, unique: true}
"""
META = """
CREATE TABLE meta (id int PRIMARY KEY, key text, value text);
INSERT INTO meta VALUES (1, 'phone', '+49 30 1234567'), (2, 'plugin_secret', 'x');
"""
SWITCH = """version: 1
tables:
  public.meta:
    columns:
      id: keep
      key: keep
      value:
        strategy: switch
        by: key
        cases:
          phone: digits
        default: fail
"""


def test_rules_check_reports_fold_case_refusal_at_the_rule(
    make_db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("DBREFRESH_SEED", "s")
    dsn, rules = db_with_rules(make_db, tmp_path, CASE_VARIANTS, FOLDED, "r.yaml")
    mark_clone(dsn)
    before = fingerprint(dsn)
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    said = check.out + check.err
    assert check.code == 2, said
    assert f"{rules}:6" in said and "public.accounts.email" in said
    assert "fold_case masks values differing only in case alike" in said
    assert "Ann@x.de" not in said  # no value named
    assert fingerprint(dsn) == before
    masked = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--no-progress")
    said = masked.out + masked.err
    assert masked.code == 2, said
    assert "fold_case masks values differing only in case alike" in said
    assert "raised by function" not in said and "CHECK constraint" not in said
    assert fingerprint(dsn) == before


def test_rules_check_reports_a_key_default_fail_refuses(
    make_db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("DBREFRESH_SEED", "s")
    dsn, rules = db_with_rules(make_db, tmp_path, META, SWITCH, "m.yaml")
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    said = check.out + check.err
    assert check.code == 2, said
    assert f"{rules}:" in said and "public.meta.value" in said
    assert "no case of switch for public.meta.key = 'plugin_secret' (default: fail)" in said
    with_key = SWITCH.replace("phone: digits", "phone: digits\n          plugin_secret: keep")
    rules.write_text(with_key)
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    assert check.code == 0, check.out + check.err
