"""The originals the byte search looks for: of masked columns, and of a switch column
only the rows a case masks (the values it keeps are on disk by design)."""

from __future__ import annotations

from pathlib import Path

from dbrefresh.rules.load import load_rules
from dbrefresh.workflow.leakscan import legitimate
from dbrefresh.workflow.masking import sample_originals
from tests.anonymize.helpers import db_with_rules

SCHEMA = """
CREATE TABLE wp_usermeta (umeta_id serial PRIMARY KEY, meta_key text, meta_value text);
INSERT INTO wp_usermeta (meta_key, meta_value)
SELECT k, CASE k WHEN 'first_name' THEN 'Maximilian' || i
                 WHEN 'billing_phone' THEN '+49 171 ' || (1000000 + i)
                 WHEN 'time_zone' THEN 'Europe/Berlin'
                 WHEN 'session_tokens' THEN md5(i::text) END
  FROM generate_series(1, 50) i,
       unnest(ARRAY['first_name', 'billing_phone', 'time_zone', 'session_tokens']) k;
INSERT INTO wp_usermeta (meta_key, meta_value) VALUES (NULL, 'no key at all');
"""
RULES = """version: 1
tables:
  public.wp_usermeta:
    columns:
      umeta_id: keep
      meta_key: keep
      meta_value:
        strategy: switch
        by: meta_key
        cases: {first_name: first_name, billing_phone: phone, session_tokens: hash}
"""


def test_a_switch_column_is_sampled_where_a_case_masks_it(make_db, tmp_path: Path) -> None:
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "wp.yaml")
    [values] = sample_originals(dsn, load_rules([path]), 1000).values()
    texts = {v.decode() for v in values}
    # phones and tokens; not the names (dictionary values are on disk by design), not
    # the kept time zones, not a row without a key (the default keeps it)
    assert len(texts) == 100
    assert all(t.startswith("+49 171 ") or len(t) == 32 for t in texts)
    # a default that masks samples the other keys and a NULL key too
    path.write_text(
        RULES.replace("session_tokens: hash}", "session_tokens: hash}\n        default: hash")
    )
    [values] = sample_originals(dsn, load_rules([path]), 1000).values()
    texts = {v.decode() for v in values}
    assert {"Europe/Berlin", "no key at all"} <= texts


def test_dotted_names_are_sampled_and_checked_where_they_are(make_db, tmp_path: Path) -> None:
    """A column named "e.mail" in a table named "a.b": its key 'public.a.b.e.mail' was
    split at its last dot, so the check for values legitimately there (a fake equal to an
    original) read a table that does not exist and called them all leaks."""
    dsn, path = db_with_rules(
        make_db,
        tmp_path,
        'CREATE TABLE "a.b" (id int PRIMARY KEY, "e.mail" text);'
        "INSERT INTO \"a.b\" SELECT i, 'p' || i || '@shop.example' FROM generate_series(1, 20) i;",
        'version: 1\ntables:\n  public.a.b:\n    columns: {id: keep, "e.mail": email}\n',
        "dotted.yaml",
    )
    originals = sample_originals(dsn, load_rules([path]), 100)
    assert list(originals) == ["public.a.b.e.mail"]
    assert len(originals["public.a.b.e.mail"]) == 20
    needles = [b"p3@shop.example", b"nowhere@shop.example"]
    assert legitimate(dsn, needles, list(originals)) == {b"p3@shop.example"}
