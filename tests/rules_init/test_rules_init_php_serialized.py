"""PHP-serialised values among JSON in a text column: Moodle's
mdl_logstore_standard_log.other ('N;', 'a:1:{s:8:"username";s:5:"alice";}' beside
'{"instanceid":5}') got `lorem` whole, and the log viewer read null everywhere. The
JSON rows are kept (or masked path by path); serialised values become 'N;'."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules.php_parse import parse

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

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


def test_personal_json_paths_are_masked_and_serialised_values_masked_in_place(
    make_db, tmp_path: Path
) -> None:
    """The serialised rows are no longer NULL: `others: php_serialized` masks their
    strings under the personal keys (of either form), each still unserialisable."""
    schema = LOGS.replace(
        """'{"instanceid":' || i || ',"cmid":' || (i % 7) || '}'""",
        """'{"instanceid":' || i || ',"email":"bob' || i || '@mail.example"}'""",
    )
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    table = "public.mdl_logstore_standard_log"
    assert rule_of(text, table, "other")["others"] == {
        "strategy": "php_serialized",
        "keys": ["email", "username"],
    }, text
    assert "REVIEW: 600 of 1000 sampled values are PHP-serialised" in comment_of(
        text, table, "other"
    )
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE other LIKE '%mail.example%'
                   OR other ~ '"user[0-9]'),
                 count(*) FILTER (WHERE other LIKE '{%' AND other::jsonb ? 'instanceid'),
                 count(*) FILTER (WHERE other = 'N;'),
                 count(*) FILTER (WHERE other IS NULL)
               FROM mdl_logstore_standard_log"""
        ).fetchone()
        serialised = [
            v
            for (v,) in conn.execute("SELECT other FROM mdl_logstore_standard_log")
            if v.startswith("a:")
        ]
    assert row == (0, 400, 200, 0)
    assert len(serialised) == 400 and all(isinstance(parse(v), dict) for v in serialised)


# Mautic's and WordPress's settings: serialised arrays alone, contacts under their keys
SETTINGS = """
CREATE TABLE form_submissions (id bigserial PRIMARY KEY, form_id int, post text);
INSERT INTO form_submissions (form_id, post)
  SELECT i % 3, CASE WHEN i % 4 = 0 THEN 'a:1:{s:6:"locale";s:5:"de_DE";}'  -- no one's
    ELSE 'a:4:{s:5:"email";s:' || octet_length(e) || ':"' || e || '";s:4:"name";s:'
    || octet_length(n) || ':"' || n || '";s:6:"locale";s:5:"de_DE";s:5:"optin";b:1;}' END
  FROM generate_series(1, 400) i,
    LATERAL (SELECT (ARRAY['Ann Schmidt', 'John Smith', 'Jörg Müller', 'Maria Garcia',
      'Peter Brown', 'Lena Fischer', 'Tom Becker'])[1 + i % 7] || substr('', i) AS n) p,
    LATERAL (SELECT 'user' || i || '@mail.example' AS e) m;
ANALYZE;
"""


def _lengths_hold(value: str) -> bool:
    """Every s:N: is followed by a string of N bytes (what unserialize() checks)."""
    raw = value.encode()
    for m in re.finditer(rb's:(\d+):"', raw):
        end = m.end() + int(m.group(1))
        if raw[end : end + 2] != b'";':
            return False
    return True


def test_a_column_of_serialised_values_is_masked_inside(make_db, tmp_path: Path) -> None:
    """It got `lorem` whole (emails in the text): the settings no longer unserialized."""
    dsn, text = generate_then_mask(make_db, tmp_path, SETTINGS)
    table = "public.form_submissions"
    assert rule_of(text, table, "post") == {"strategy": "php_serialized", "keys": ["email", "name"]}
    with psycopg.connect(dsn) as conn:
        posts = [p for (p,) in conn.execute("SELECT post FROM form_submissions")]
    assert all(_lengths_hold(p) for p in posts)
    assert sum(p.startswith('a:4:{s:5:"email";s:') for p in posts) == 300
    assert sum('s:6:"locale";s:5:"de_DE";s:5:"optin";b:1;}' in p for p in posts) == 300
    assert posts.count('a:1:{s:6:"locale";s:5:"de_DE";}') == 100  # kept, and no leak
    leaked = [p for p in posts if "mail.example" in p or re.search("Schmidt|Smith|Müller", p)]
    assert leaked == []
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
