"""A full name joining another table's masked first and last name gets a REVIEW note.

Twenty's `person."name_firstName"`/`"name_lastName"` got first_name/last_name and the
display names copying them elsewhere full_name: none matched its person after masking,
and nothing said so. No rule can keep them agreeing; the note says they will differ.
"""

from __future__ import annotations

from pathlib import Path

from .helpers import comment_of, generate_and_compile, rule_of

FIRST = "ARRAY['Anna','Peter','Maria','Thomas','Julia','Michael','Laura','David','Sarah','Daniel']"
LAST = "ARRAY['Schmidt','Johnson','Vries','Bakker','Williams','Meyer','Brown','Jansen','Taylor']"
SCHEMA = f"""
CREATE TABLE person (id int PRIMARY KEY, "name_firstName" text, "name_lastName" text);
INSERT INTO person SELECT g, ({FIRST})[1 + g % 10], ({LAST})[1 + g / 10 % 9]
FROM generate_series(1, 90) g;
CREATE TABLE "messageParticipant" (id serial PRIMARY KEY, "personId" int REFERENCES person(id),
                                   "displayName" text);
INSERT INTO "messageParticipant"("personId", "displayName")
SELECT p.id, p."name_firstName" || ' ' || p."name_lastName"
FROM generate_series(1, 300) g JOIN person p ON p.id = 1 + g % 90;
CREATE TABLE customers (id int PRIMARY KEY, full_name text);
INSERT INTO customers SELECT g, ({LAST})[1 + g % 9] || ' ' || ({FIRST})[1 + g / 9 % 10]
FROM generate_series(1, 90) g;
"""


def test_a_full_name_joining_name_parts_of_another_table_is_noted(make_db, tmp_path: Path) -> None:
    import psycopg

    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.person", "name_firstName") == "first_name"
    assert rule_of(text, "public.messageParticipant", "displayName") == "full_name"
    comment = comment_of(text, "public.messageParticipant", "displayName")
    assert "REVIEW: holds public.person.name_firstName and name_lastName joined" in comment
    assert "no longer match" in comment
    # names in the other order are no join of the parts
    assert "joined" not in comment_of(text, "public.customers", "full_name")
