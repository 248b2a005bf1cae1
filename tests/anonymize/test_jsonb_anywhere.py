"""verify looks for the sampled documents' addresses anywhere in them, not only at the
rules' paths.

PostHog's activity log got a rule for `name` alone; its addresses, ten levels down under
`changes.*.after`, were kept, and verify said "3000 sampled, 0 survivors": the whole
document changed (its name did), and the one path listed changed too. The strings
holding an address anywhere in a sampled document are now sampled as well, under `**`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify_report
from tests.anonymize.helpers import db_with_rules, mask_and_verify

SCHEMA = """
CREATE TABLE activitylog (id int PRIMARY KEY, detail jsonb);
INSERT INTO activitylog SELECT i, format('{"name": "Ann Lee %1$s", "support": "x",
  "changes": [{"after": {"filters": {"groups": [{"properties": [{"key": "email",
  "value": ["ann%1$s@orig-mail.example.org"]}]}]}}, "field": "filters"}]}', i)::jsonb
  FROM generate_series(1, 50) i;
"""
ONLY_NAME = """version: 1
tables:
  public.activitylog:
    columns:
      id: keep
      detail: {strategy: jsonb, paths: {name: full_name}}
"""
EVERY_PATH = ONLY_NAME.replace(
    "{name: full_name}",
    "{name: full_name, 'changes.*.after.filters.groups.*.properties.*.value': email}",
)
MESSAGE = (
    "public.activitylog.detail: 50 original email address(es) of the sampled documents "
    "survived in them (under a path the rules do not list, or one that kept them)"
)


def test_addresses_under_a_path_no_rule_lists_are_leaks(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, ONLY_NAME, "rules.yaml")
    report = mask_and_verify(dsn, rules)
    assert [f.message for f in report.findings] == [MESSAGE]
    assert report.sampled["public.activitylog.detail:**"] == 50
    assert report.leaks["public.activitylog.detail:**"] == 50
    assert report.leaks["public.activitylog.detail:name"] == 0


def test_masked_addresses_are_no_leak_and_one_written_back_is(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, EVERY_PATH, "rules.yaml")
    report = mask_and_verify(dsn, rules)
    assert report.findings == []
    assert report.sampled["public.activitylog.detail:**"] == 50
    with psycopg.connect(dsn) as conn:  # the original moved to a key no rule lists
        conn.execute(
            "UPDATE activitylog SET detail = detail || "
            '\'{"support": "ann7@orig-mail.example.org"}\' WHERE id = 7'
        )
    report = verify_report(dsn, [rules], seed="s")
    assert report.leaks["public.activitylog.detail:**"] == 1
