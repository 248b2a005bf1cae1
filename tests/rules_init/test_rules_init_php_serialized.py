"""PHP-serialised values among JSON in a text column: Moodle's
mdl_logstore_standard_log.other ('N;', 'a:1:{s:8:"username";s:5:"alice";}' beside
'{"instanceid":5}') got `lorem` whole, and the log viewer read null everywhere. The
JSON rows are kept (or masked path by path); serialised values become 'N;'."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, strategy_of

LOGS = """
CREATE TABLE mdl_logstore_standard_log (id bigserial PRIMARY KEY, eventname text, other text);
INSERT INTO mdl_logstore_standard_log (eventname, other)
  SELECT '\\core\\event\\user_loggedin', CASE
    WHEN i % 5 = 0 THEN 'N;'
    WHEN i % 5 = 1 THEN 'a:1:{s:8:"username";s:' || length('user' || i) || ':"user' || i || '";}'
    WHEN i % 5 = 2 THEN 'a:1:{s:5:"email";s:' || length('ann' || i || '@mail.example')
      || ':"ann' || i || '@mail.example";}'
    ELSE '{"instanceid":' || i || ',"cmid":' || (i % 7) || '}' END
  FROM generate_series(1, 1000) i;
ANALYZE;
"""


def test_serialised_values_become_php_null_and_json_is_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, LOGS)
    table = "public.mdl_logstore_standard_log"
    assert strategy_of(text, table, "other") == "sql", text
    assert "PHP-serialised" in comment_of(text, table, "other")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE other = 'N;'),
                 count(*) FILTER (WHERE other = '{"instanceid":' || id || ',"cmid":'
                   || (id % 7) || '}'),
                 count(*) FILTER (WHERE other LIKE '%user%' OR other LIKE '%ann%'),
                 count(*) FILTER (WHERE other IS NULL)
               FROM mdl_logstore_standard_log"""
        ).fetchone()
    assert row == (600, 400, 0, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def test_personal_json_paths_are_masked_and_serialised_values_hidden(
    make_db, tmp_path: Path
) -> None:
    schema = LOGS.replace(
        """'{"instanceid":' || i || ',"cmid":' || (i % 7) || '}'""",
        """'{"instanceid":' || i || ',"email":"bob' || i || '@mail.example"}'""",
    )
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert strategy_of(text, "public.mdl_logstore_standard_log", "other") == "jsonb", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE other LIKE '%mail.example%'
                   OR other LIKE '%username%'),
                 count(*) FILTER (WHERE other::jsonb ? 'instanceid')
               FROM mdl_logstore_standard_log"""
        ).fetchone()
    assert row == (0, 400)
