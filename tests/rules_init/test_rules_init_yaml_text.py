"""YAML documents in text columns (Rails' serialized stores, Zammad's preferences):
masked key by key, every row still a document the application parses."""

from __future__ import annotations

from pathlib import Path

import psycopg
import yaml

from .helpers import comment_of, generate_then_mask, strategy_of

RAILS_YAML = r"""
CREATE TABLE users (id serial PRIMARY KEY, login text, preferences varchar(8000));
INSERT INTO users (login, preferences)
  SELECT 'agent' || i, E'--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nlocale: de-de\n'
    || CASE WHEN i % 3 = 0 THEN 'out_of_office_text: ''Vertretung: Anna Weber (anna.weber' || i
      || E'@mail.example), bitte wenden Sie\n  sich an sie''\n' ELSE '' END
    || E'notification_config: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n'
    || E'  matrix:\n    create:\n      criteria:\n        owned_by_me: true\n'
    || E'tickets_open: ' || i % 5 || E'\n'
  FROM generate_series(1, 300) i;
ANALYZE;
"""


class _Ruby(yaml.SafeLoader):
    """Ruby's tagged hashes read as plain mappings, as Psych reads them."""


_Ruby.add_multi_constructor(
    "!", lambda loader, suffix, node: loader.construct_mapping(node, deep=True)
)


def test_rails_yaml_documents_keep_parsing(make_db, tmp_path: Path) -> None:
    """Zammad's users.preferences got `file_name` (or `lorem`), and no row parsed as
    YAML any more: only the personal key's value is rewritten now."""
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, RAILS_YAML)
    assert strategy_of(text, "public.users", "preferences") == "sql", text
    with psycopg.connect(dsn) as conn:
        rows = [r[0] for r in conn.execute("SELECT preferences FROM users ORDER BY id")]
    documents = [yaml.load(r, Loader=_Ruby) for r in rows]
    assert not any("mail.example" in r or "Weber" in r for r in rows)
    assert [d.get("out_of_office_text") for d in documents[2::3]] == ["masked"] * 100
    assert all(d["locale"] == "de-de" for d in documents)
    assert all(d["notification_config"]["matrix"]["create"]["criteria"] for d in documents)
    assert [d["tickets_open"] for d in documents] == [i % 5 for i in range(1, 301)]
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


LONG_YAML = r"""
CREATE TABLE tickets (id serial PRIMARY KEY, preferences text);
INSERT INTO tickets (preferences)
  SELECT E'--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nhistory: "a'
    || repeat(E'\\"', 2500) || E'"\nchannel: email\n'
    || CASE WHEN i % 3 = 0 THEN 'delivery_status_recipient: kunde' || i || E'@mail.example\n'
       ELSE '' END
  FROM generate_series(1, 150) i;
ANALYZE;
"""


def test_documents_longer_than_the_sample_are_judged_by_their_lines(
    make_db, tmp_path: Path
) -> None:
    """The sample reads a long value's first and last characters only: such a document
    does not parse (here the cut splits an escaped quote), and its keys are read line
    by line."""
    dsn, text = generate_then_mask(make_db, tmp_path, LONG_YAML)
    assert strategy_of(text, "public.tickets", "preferences") == "sql", text
    why = comment_of(text, "public.tickets", "preferences")
    assert "delivery_status_recipient: 50 of 50 sampled values" in why  # every one read
    with psycopg.connect(dsn) as conn:
        rows = [r[0] for r in conn.execute("SELECT preferences FROM tickets ORDER BY id")]
    assert not any("mail.example" in r for r in rows)
    assert sum("delivery_status_recipient: masked@example.invalid\n" in r for r in rows) == 50
    assert all(yaml.load(r, Loader=_Ruby)["channel"] == "email" for r in rows)


SAME_KEY_ELSEWHERE = r"""
CREATE TABLE users (id serial PRIMARY KEY, preferences text);
INSERT INTO users (preferences)
  SELECT E'--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n'
    || CASE WHEN i % 2 = 0 THEN 'email: kunde' || i || E'@mail.example\n' ELSE '' END
    || E'notification_config:\n  matrix:\n    channel:\n      email: true\n'
    || CASE WHEN i % 4 = 0 THEN E'sms_recipients:\n- ''+49 171 555' || (1000 + i) || E'''\n'
       ELSE '' END
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_a_key_holding_other_data_elsewhere_is_kept_there(make_db, tmp_path: Path) -> None:
    """Zammad's notification matrix has `email: true` under `channel`: masking every
    `email:` line would have made the flag a string; only the personal depth is. A
    list of phone numbers stays a list."""
    dsn, text = generate_then_mask(make_db, tmp_path, SAME_KEY_ELSEWHERE)
    assert strategy_of(text, "public.users", "preferences") == "sql", text
    with psycopg.connect(dsn) as conn:
        rows = [r[0] for r in conn.execute("SELECT preferences FROM users ORDER BY id")]
    documents = [yaml.load(r, Loader=_Ruby) for r in rows]
    assert not any("mail.example" in r for r in rows)
    assert [d.get("email") for d in documents[1::2]] == ["masked@example.invalid"] * 100
    assert all(d["notification_config"]["matrix"]["channel"]["email"] is True for d in documents)
    assert [d.get("sms_recipients") for d in documents[3::4]] == [["masked"]] * 50  # a list


RUBY_SYMBOLS = r"""
CREATE TABLE quiz_submissions (id serial PRIMARY KEY, submission_data text);
INSERT INTO quiz_submissions (submission_data)
  SELECT E'---\n- :correct: true\n  :question_id: ' || i || E'\n  :text: "<p>I think B. My name is '
    || (ARRAY['Aaron','Beatrice','Carlos','Diana','Edward','Fiona','George'])[1 + i % 7] || ' '
    || (ARRAY['Weber','Smith','Jones','Taylor','Wilson','Evans','Walker','Wright'])[1 + i % 8]
    || E'.</p>"\n- :correct: false\n  :answer_id: ' || (1000 + i) || E'\n'
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_ruby_symbol_keys_are_masked_on_their_lines(make_db, tmp_path: Path) -> None:
    """Canvas's quiz_submissions.submission_data writes its keys as Ruby symbols
    (`:text:`): the personal one was noted as no pattern naming it, and kept."""
    dsn, text = generate_then_mask(make_db, tmp_path, RUBY_SYMBOLS)
    assert strategy_of(text, "public.quiz_submissions", "submission_data") == "sql", text
    with psycopg.connect(dsn) as conn:
        rows = [r[0] for r in conn.execute("SELECT submission_data FROM quiz_submissions")]
    documents = [yaml.safe_load(r) for r in rows]
    assert all(d[0][":text"] == "masked" and d[1][":answer_id"] > 1000 for d in documents)
    assert not any("Weber" in r or "Smith" in r for r in rows)
