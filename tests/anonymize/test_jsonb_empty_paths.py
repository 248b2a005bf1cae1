"""verify's whole-document check skips documents whose paths hold nothing to mask.

Chatwoot keeps `{"source": "email", "cc_emails": []}` on most conversations: masking
leaves such a document as it is, rightly, and verify counted every one of them as an
original that survived, failing the nightly refresh. Also JSON kept in a text column.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

# Even rows: an address in cc_emails; odd rows: [], [null], [""] or ["  ", null] in
# turn; bcc_emails always [] and every tenth document without the key.
SCHEMA = """
CREATE TABLE conversations (id int PRIMARY KEY, attrs {type});
INSERT INTO conversations
SELECT g, CAST(jsonb_build_object('source', 'email', 'cc_emails', CASE
    WHEN g % 2 = 0 THEN jsonb_build_array(format('person%s@mail.example', g))
    WHEN g % 8 = 1 THEN '[]'::jsonb WHEN g % 8 = 3 THEN '[null]'::jsonb
    WHEN g % 8 = 5 THEN '[""]'::jsonb ELSE '["  ", null]'::jsonb END)
  || CASE WHEN g % 10 = 0 THEN '{{}}'::jsonb ELSE '{{"bcc_emails": []}}'::jsonb END AS {type})
FROM generate_series(1, 40) g;
"""

RULES = """version: 1
tables:
  public.conversations:
    columns:
      id: keep
      attrs: {strategy: jsonb, paths: {cc_emails: email, bcc_emails: email}}
"""


@pytest.mark.parametrize("column_type", ["jsonb", "json", "text"])
def test_documents_with_only_empty_arrays_are_no_leak(
    make_db, tmp_path: Path, column_type: str
) -> None:
    """The 20 documents whose arrays hold no address (or only nulls and blanks) are not
    sampled; the 20 with one are, and all of them changed. An address written back
    into one of them is still found."""
    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA.format(type=column_type))
        (before,) = conn.execute("SELECT attrs::text FROM conversations WHERE id = 4").fetchone()
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="s", progress=False, workers=2)
    with psycopg.connect(dsn) as conn:
        unchanged = conn.execute(
            """SELECT count(*) FROM conversations WHERE id % 2 = 1
               AND attrs::jsonb -> 'cc_emails' IN ('[]', '[null]', '[""]', '["  ", null]')"""
        ).fetchone()
    assert unchanged == (20,)  # kept as they were
    report = verify_report(dsn, [rules], seed="s")
    assert report.findings == []
    assert report.sampled["public.conversations.attrs"] == 20
    assert report.total_leaks == 0
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE conversations SET attrs = %s WHERE id = 4", (before,))
    report = verify_report(dsn, [rules], seed="s")
    assert [f.message for f in report.findings] == [
        "public.conversations.attrs: 1 original email address(es) of the sampled documents "
        "survived in them (under a path the rules do not list, or one that kept them)",
        "public.conversations.attrs: 1 original value(s) survived masking",
        "public.conversations.attrs: path cc_emails: 1 original value(s) survived masking",
    ]
