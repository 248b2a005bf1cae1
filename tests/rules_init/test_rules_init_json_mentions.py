"""JSON paths get the text columns' detectors of people named in lines of text.

'1:1 notes Anna Schmidt' under a `title` key and an LDAP DN under Authentik's
`distinguishedName` were kept at a JSON path, while the same values in a text column
were masked: paths got only the whole-value detectors.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.json_paths import read_documents, unread_notes

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = "ARRAY['Anna','Peter','Maria','Thomas','Julia','Michael','Laura','David','Sarah','Daniel']"
LAST = "ARRAY['Schmidt','Johnson','de Vries','Bakker','Williams','Meyer','Brown','Jansen','Taylor']"
PERSON = f"({FIRST})[1 + g % 10] || ' ' || ({LAST})[1 + g % 9]"

SCHEMA = f"""
CREATE TABLE notes (id serial PRIMARY KEY, title text NOT NULL, data jsonb NOT NULL);
INSERT INTO notes(title, data)
SELECT '1:1 notes ' || {PERSON}, jsonb_build_object('title', '1:1 notes ' || {PERSON}, 'n', g)
FROM generate_series(1, 300) g;
CREATE TABLE authentik_user (id serial PRIMARY KEY, attributes jsonb NOT NULL);
INSERT INTO authentik_user(attributes)
SELECT jsonb_build_object('distinguishedName', 'CN=' || {PERSON} || ',OU=Users,DC=corp,DC=example',
                          'ou', 'OU=Users,DC=corp,DC=example')
FROM generate_series(1, 500) g;
"""


def test_people_named_in_json_lines_are_masked_like_a_text_columns(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.notes", "title") == "lorem"
    assert rule_of(text, "public.notes", "data") == {
        "strategy": "jsonb",
        "paths": {"title": "lorem"},
    }
    assert rule_of(text, "public.authentik_user", "attributes") == {
        "strategy": "jsonb",
        "paths": {"distinguishedName": "lorem"},
    }
    assert "a line naming one" in comment_of(text, "public.authentik_user", "attributes")
    with psycopg.connect(dsn) as conn:
        leaked = conn.execute(
            "SELECT (SELECT count(*) FROM notes WHERE data->>'title' ~ 'Schmidt|Johnson|Meyer'),"
            " (SELECT count(*) FROM authentik_user"
            "  WHERE attributes->>'distinguishedName' ~ 'Schmidt|Johnson|Meyer'),"
            " (SELECT count(*) FROM authentik_user"
            "  WHERE attributes->>'ou' = 'OU=Users,DC=corp,DC=example'),"
            " (SELECT count(*) FROM notes WHERE (data->>'n')::int = id)"
        ).fetchone()
    assert leaked == (0, 0, 500, 300)  # names gone; the rest of the documents kept


def test_a_few_people_named_at_a_path_earn_a_review_note() -> None:
    named = [("Anna", "Schmidt"), ("Peter", "Meyer"), ("Julia", "Jansen")]
    people = [f'{{"subject": "call {first} {last} back"}}' for first, last in named]
    read = read_documents([*people, *['{"subject": "nothing to report"}'] * 47])
    [note] = [n for n in unread_notes(read, "public.t", 1000) if "subject" in n]
    assert note.startswith("REVIEW: subject: 3 of 50 sampled values name people")
    assert "too few to mask" in note
