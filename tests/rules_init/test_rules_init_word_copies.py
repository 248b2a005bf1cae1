"""A masked title's plain words are no copy: Directus' directus_files.title held
'Success' and 'Couple' beside 'Cv Anna Schmidt', and every kept subject or description
with such a word was said to hold the title (a REVIEW note), a history snapshot's
`subject` path masked as `lorem`. Usernames inside paths ('group/jdoe7') still are."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_and_compile, rule_of, strategy_of

FIRST = ["Anna", "John", "Marie", "Jan", "Lucia", "Carlos", "Emma", "Oliver", "Sophie", "Karl"]
LAST = ["Schmidt", "Miller", "Dubois", "Kowalski", "Rossi", "Garcia", "Smith", "Martin"]
PEOPLE = [f"{f} {last}" for f in FIRST for last in LAST]
WORDS = [
    "Success",
    "Wohnung",
    "Couple",
    "Sunset",
    "Office",
    "Holiday",
    "Report",
    "Team",
    "Garden",
    "Winter",
    "Summer",
    "Harbor",
    "Mountain",
    "River",
    "Forest",
    "Castle",
    "Bridge",
    "Market",
    "Station",
    "Village",
    "Meadow",
    "Island",
    "Valley",
    "Canyon",
    "Desert",
    "Glacier",
    "Lagoon",
    "Prairie",
    "Orchard",
    "Vineyard",
    "Harvest",
    "Festival",
    "Parade",
    "Concert",
    "Gallery",
    "Museum",
    "Library",
    "Theater",
    "Stadium",
    "Airport",
]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def test_plain_words_of_a_masked_title_are_no_copy(make_db, tmp_path: Path) -> None:
    titles = [f"{p} Passport" for p in PEOPLE[:40]] + [f"Cv {p}" for p in PEOPLE[40:]] + WORDS
    schema = f"""
CREATE TABLE directus_files (id serial PRIMARY KEY, title varchar(255));
INSERT INTO directus_files (title) SELECT unnest({_array(titles)});
CREATE TABLE issues (id serial PRIMARY KEY, subject text, description text, snapshot jsonb);
INSERT INTO issues (subject, description, snapshot)
  SELECT w || ' follow-up for the team', 'The ' || lower(w) || ' plan was approved',
    jsonb_build_object('subject', w || ' follow-up for the team')
  FROM unnest({_array(WORDS)}) w;
CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE);
INSERT INTO users (username) SELECT 'jdoe' || i FROM generate_series(1, 60) i;
CREATE TABLE routes (id serial PRIMARY KEY, path text);
INSERT INTO routes (path) SELECT 'group/jdoe' || i FROM generate_series(1, 60) i;
ANALYZE;
"""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(schema)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.directus_files", "title") == "lorem", text
    for column in ("subject", "description"):
        assert strategy_of(text, "public.issues", column) == "keep"
        assert "directus_files" not in comment_of(text, "public.issues", column), text
    assert strategy_of(text, "public.issues", "snapshot") == "keep", rule_of(
        text, "public.issues", "snapshot"
    )
    assert "holds public.users.username" in comment_of(text, "public.routes", "path"), text
