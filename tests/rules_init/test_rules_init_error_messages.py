"""Error messages naming a customer: Camunda's act_ru_ext_task.error_msg_ and
act_ru_incident.incident_msg_ ('Credit check failed for Mary Guerra <mary@x.example>')
got `email`, read as display-name forms: every message became an address. A sentence
before '<address>' is no display name (mail_forms.py): the column is text mentioning
addresses and names, and its masked messages keep neither."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

NAMES = "ARRAY['Mary Guerra', 'Franz-Josef Small', 'Laura Liebelt', 'Almut Wagenknecht', \
'Justin Espinoza', 'Christina Mitchell', 'Molly House', 'Jaroslaw Langern']"
SCHEMA = f"""
CREATE TABLE act_ru_ext_task (
  id_ varchar(64) PRIMARY KEY, topic_name_ varchar(255), error_msg_ varchar(4000));
CREATE FUNCTION msg(i int) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT 'Credit check failed for ' || ({NAMES})[i % 8 + 1] || ' <'
    || lower(split_part(({NAMES})[i % 8 + 1], ' ', 1)) || i || '@mail' || i % 5 || '.example>'
$$;
INSERT INTO act_ru_ext_task
  SELECT 'task-' || i, 'credit-check', CASE WHEN i % 4 = 0 THEN NULL ELSE msg(i) END
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_sentences_ending_in_an_address_are_not_masked_as_addresses(
    make_db, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.act_ru_ext_task", "error_msg_")
    assert rule != "email" and not (isinstance(rule, dict) and rule == {"strategy": "email"})
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id_, error_msg_ FROM act_ru_ext_task WHERE error_msg_ IS NOT NULL"
        ).fetchall()
    assert len(rows) == 150
    for id_, masked in rows:
        original = conn_free_msg(int(id_.removeprefix("task-")))
        address = original.rpartition("<")[2].rstrip(">")
        name = original.removeprefix("Credit check failed for ").partition(" <")[0]
        assert address not in masked and name not in masked, (original, masked)
        assert not masked.startswith('"'), masked  # not a whole display-name form


def conn_free_msg(i: int) -> str:
    names = [
        "Mary Guerra", "Franz-Josef Small", "Laura Liebelt", "Almut Wagenknecht",
        "Justin Espinoza", "Christina Mitchell", "Molly House", "Jaroslaw Langern",
    ]  # fmt: skip
    name = names[i % 8]
    return f"Credit check failed for {name} <{name.split()[0].lower()}{i}@mail{i % 5}.example>"
