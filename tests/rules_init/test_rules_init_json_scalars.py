"""JSON kept in text whose rows without a document hold the JSON text `null`.

Metabase writes json.dumps(None) into core_user.login_attributes where a user has no
attributes: objects in a third of the rows, 'null' in the rest. Judged as free text,
the column got `lorem` or `hash` whole and every login broke; it is a column of
documents, and the 'null' rows are kept as they are.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.json_text import TextDocuments, json_documents

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE core_user (id serial PRIMARY KEY, email varchar(254) NOT NULL UNIQUE,
                        login_attributes text, settings text NOT NULL);
INSERT INTO core_user(email, login_attributes, settings)
SELECT 'user' || g || '@corp.example',
       CASE WHEN g % 3 = 0 THEN '{"department":"sales","phone":"+49 30 1234' || g || '"}'
            ELSE 'null' END,
       CASE WHEN g % 3 = 0 THEN '{"phone":"+49 30 5678' || g || '","theme":"dark"}'
            WHEN g % 5 = 0 THEN 'true' WHEN g % 7 = 0 THEN '0' ELSE 'null' END
FROM generate_series(1, 60) g;
"""


def test_json_null_rows_make_no_free_text_and_stay_null(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for column in ("login_attributes", "settings"):
        assert rule_of(text, "public.core_user", column) == {
            "strategy": "jsonb",
            "paths": {"phone": "phone"},
        }
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, login_attributes, settings FROM core_user ORDER BY id"
        ).fetchall()
    for row_id, attributes, settings in rows:
        if row_id % 3:
            assert attributes == "null"
            assert settings == ("true" if row_id % 5 == 0 else "0" if row_id % 7 == 0 else "null")
        else:
            assert '"department": "sales"' in attributes
            assert f"1234{row_id}" not in attributes and f"5678{row_id}" not in settings
            assert '"theme": "dark"' in settings


def test_json_null_counts_as_a_document_numbers_only_in_a_minority() -> None:
    assert json_documents(['{"a": 1}', "null", " null "]) == TextDocuments(3, 0)
    assert json_documents(['{"a": 1}', "true", "null", "0"]) == TextDocuments(4, 0)
    assert json_documents(["null", "null"]) is None  # no document read
    assert json_documents(['{"a": 1}', "1", "2", "3.5"]) is None  # mostly numbers
    assert json_documents(['{"a": 1}', "null", '"Ann Smith"']) is None  # a string
