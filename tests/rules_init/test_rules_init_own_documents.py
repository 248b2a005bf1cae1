"""Serialized documents naming their own person: Canvas's
quiz_submissions.submission_data is Rails YAML (a list of hashes, `:text:` holding the
student's answer and name). It got `lorem`, and the application's YAML loader read a
String where it wants an Array. Now the keys naming the person are rewritten, and
every row still parses; documents no rule rewrites by key are kept with a note."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import yaml

from dbrefresh.rules.php_parse import parse

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['Aaron','Beatrice','Carlos','Diana','Edward','Fiona','George','Hannah','Ivan',\
'Julia','Kevin','Laura','Martin','Nadia','Oscar','Paula','Quentin','Rachel','Samuel','Tina']"
LAST = "ARRAY['Smith','Jones','Brown','Taylor','Wilson','Davies','Evans','Thomas','Johnson',\
'Roberts','Walker','Wright','Robinson','Thompson','White','Hughes','Edwards','Green']"
CANVAS = f"""
CREATE TABLE users (id bigserial PRIMARY KEY, name varchar(255), short_name varchar(255));
INSERT INTO users (name, short_name)
  SELECT ({FIRST})[1 + i % 20] || ' ' || ({LAST})[1 + (i * 7) % 18], ({FIRST})[1 + i % 20]
  FROM generate_series(1, 300) i;
CREATE TABLE quiz_submissions (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id),
  submission_data text, answers_json text, legacy_php text, workflow_state varchar(255) NOT NULL);
INSERT INTO quiz_submissions (user_id, submission_data, answers_json, legacy_php,
  workflow_state)
  SELECT u.id,
    E'---\\n- :correct: true\\n  :points: 1.0\\n  :question_id: ' || i
      || E'\\n  :answer_id: ' || (i % 4)
      || E'\\n  :text: My name is ' || u.short_name || E' and I think the answer is B\\n'
      || E'- :correct: false\\n  :points: 0.0\\n  :question_id: ' || (i + 1)
      || E'\\n  :text: ''4''\\n',
    json_build_object('answers', json_build_array(json_build_object(
      'question_id', i, 'text', 'I am ' || u.short_name)))::text,
    'a:2:{{s:2:"id";i:' || i || ';s:4:"text";s:' || length('I am ' || u.short_name)
      || ':"I am ' || u.short_name || '";}}',
    'complete'
  FROM generate_series(1, 600) i JOIN users u ON u.id = 1 + (i * 13) % 300;
ANALYZE;
"""


def test_yaml_naming_its_own_person_is_masked_by_key(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, CANVAS)
    assert strategy_of(text, "public.quiz_submissions", "submission_data") == "sql", text
    why = comment_of(text, "public.quiz_submissions", "submission_data")
    assert "the keys naming them: text" in why, why
    # JSON in text: the path naming them gets `lorem`, the document stays one
    assert rule_of(text, "public.quiz_submissions", "answers_json") == {
        "strategy": "jsonb",
        "paths": {"answers.*.text": "lorem"},
    }, text
    # PHP-serialised: the strings under the key naming them masked in place
    assert rule_of(text, "public.quiz_submissions", "legacy_php") == {
        "strategy": "php_serialized",
        "keys": ["text"],
    }, text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT submission_data, answers_json, legacy_php FROM quiz_submissions ORDER BY id"
        ).fetchall()
    documents = [yaml.safe_load(r[0]) for r in rows]
    assert all(isinstance(d, list) and len(d) == 2 for d in documents)
    assert all(d[0][":text"] == "masked" for d in documents)
    assert [d[0][":question_id"] for d in documents] == list(range(1, 601))
    assert all(d[0][":correct"] is True and d[1][":points"] == 0.0 for d in documents)
    assert not any("My name is" in r[0] for r in rows)
    answers = [json.loads(r[1])["answers"] for r in rows]
    assert [a[0]["question_id"] for a in answers] == list(range(1, 601))
    assert not any(a[0]["text"].startswith("I am ") for a in answers)
    assert all(parse(r[2])["text"] and "I am " not in r[2] for r in rows)  # still unserializes
    assert [int(r[2].split(";")[1][2:]) for r in rows] == list(range(1, 601))  # id kept


FEW = f"""
CREATE TABLE users (id bigserial PRIMARY KEY, name varchar(255));
INSERT INTO users (name)
  SELECT ({FIRST})[1 + i % 20] || ' ' || ({LAST})[1 + (i * 7) % 18] FROM generate_series(1, 300) i;
CREATE TABLE quiz_submissions (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id),
  submission_data text);
INSERT INTO quiz_submissions (user_id, submission_data)
  SELECT u.id, E'---\\n- :question_id: ' || i || E'\\n  :text: '
    || CASE WHEN i % 100 = 0 THEN 'signed ' || u.name ELSE 'answer B' END || E'\\n'
  FROM generate_series(1, 600) i JOIN users u ON u.id = 1 + (i * 13) % 300;
ANALYZE;
"""


def test_few_documents_naming_their_person_are_kept_with_a_note(make_db, tmp_path: Path) -> None:
    """Too few rows to mask: kept whole with the key named, never `lorem`."""
    dsn, text = generate_then_mask(make_db, tmp_path, FEW)
    assert strategy_of(text, "public.quiz_submissions", "submission_data") == "keep", text
    why = comment_of(text, "public.quiz_submissions", "submission_data")
    assert "REVIEW: names at keys text;" in why, why
    assert "lorem" not in why, why
    with psycopg.connect(dsn) as conn:
        rows = [r[0] for r in conn.execute("SELECT submission_data FROM quiz_submissions")]
    assert all(isinstance(yaml.safe_load(r), list) for r in rows)
