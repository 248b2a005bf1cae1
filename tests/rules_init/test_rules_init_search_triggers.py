"""`rules init` proposes `derived` for a full-text vector a trigger fills (pg_search,
Django's SearchVectorField, PostgreSQL's tsvector_update_trigger), so staging's search
finds the masked names; a generated vector gets no REVIEW note (PostgreSQL recomputes
it); a trigger whose expression does not lift leaves the vector `null`, with a note."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.rules_init.helpers import (
    comment_of,
    generate_and_compile,
    generate_then_mask,
    rule_of,
    strategy_of,
)

FIRST = "ARRAY['Ann', 'Bruno', 'Chiara', 'Dmitri', 'Elif', 'Farid', 'Greta', 'Hugo']"
LAST = "ARRAY['Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi']"
VECTOR = (
    "setweight(to_tsvector('simple', coalesce(first_name, '') || ' ' || "
    "coalesce(last_name, '')), 'A') || setweight(to_tsvector('simple', "
    "coalesce(email::text, '')), 'B')"
)
SCHEMA = f"""
CREATE TABLE contacts (
    id int PRIMARY KEY, first_name text, last_name text, email text, notes text,
    search_vector tsvector,
    name_tsv tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) STORED
);
-- pg_search's trigger, as a migration writes it (comments, NEW. in upper and lower case)
CREATE FUNCTION contacts_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- weight names above the address
  new.search_vector :=
      setweight(to_tsvector('simple', coalesce(NEW.first_name, '') || ' ' ||
                coalesce(NEW.last_name, '')), 'A') ||
      setweight(to_tsvector('simple', coalesce(NEW.email::text, '')), 'B');
  NEW.notes = coalesce(NEW.notes, '');
  RETURN NEW;
END $$;
CREATE TRIGGER contacts_search BEFORE INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_search_trigger();
INSERT INTO contacts (id, first_name, last_name, email)
SELECT g, ({FIRST})[1 + g % 8], ({LAST})[1 + g % 7],
       lower(({FIRST})[1 + g % 8]) || '.' || lower(({LAST})[1 + g % 7]) || g || '@mail.example'
  FROM generate_series(1, 60) g;

-- PostgreSQL's own trigger function, over a person's posts
CREATE TABLE posts (id int PRIMARY KEY, author_name text, body text, tsv tsvector);
CREATE TRIGGER posts_tsv BEFORE INSERT OR UPDATE ON posts FOR EACH ROW
    EXECUTE FUNCTION tsvector_update_trigger(tsv, 'pg_catalog.english', author_name, body);
INSERT INTO posts SELECT g, ({FIRST})[1 + g % 8] || ' ' || ({LAST})[1 + g % 7],
       'Written by ' || ({FIRST})[1 + g % 8] || ', call +44 20 7946 ' || lpad(g::text, 4, '0')
  FROM generate_series(1, 60) g;

-- a vector the trigger builds with a lookup: no expression over the row
CREATE TABLE people (id int PRIMARY KEY, full_name text);
INSERT INTO people SELECT g, ({FIRST})[1 + g % 8] || ' ' || ({LAST})[1 + g % 7]
  FROM generate_series(1, 60) g;
CREATE TABLE tickets (id int PRIMARY KEY, person_id int REFERENCES people, subject text,
                      tsv tsvector, updated_at timestamptz);
CREATE FUNCTION tickets_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tsv := to_tsvector('simple', NEW.subject || ' ' ||
             (SELECT full_name FROM people WHERE id = NEW.person_id));
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER tickets_tsv BEFORE INSERT OR UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_tsv();
INSERT INTO tickets (id, person_id, subject) SELECT g, g, 'Refund for order ' || g
  FROM generate_series(1, 60) g;

-- decoy: a vector of product words, written by the application; a trigger on another
-- column
CREATE TABLE products (id int PRIMARY KEY, name text, search tsvector, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER products_touch BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO products SELECT g, (ARRAY['blue widget', 'steel bolt', 'garden hose'])[1 + g % 3],
       to_tsvector('english', (ARRAY['blue widget', 'steel bolt', 'garden hose'])[1 + g % 3])
  FROM generate_series(1, 30) g;
ANALYZE;
"""


def test_trigger_filled_vectors_are_recomputed_from_masked_names(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.contacts", "search_vector")
    assert rule["strategy"] == "derived"
    assert rule["expression"] == (  # NEW. taken off, spaces as one, comments gone
        "setweight(to_tsvector('simple', coalesce(first_name, '') || ' ' || "
        "coalesce(last_name, '')), 'A') || setweight(to_tsvector('simple', "
        "coalesce(email::text, '')), 'B')"
    )
    why = comment_of(text, "public.contacts", "search_vector")
    assert "filled by trigger contacts_search from email, first_name, last_name" in why
    assert "REVIEW" not in why
    # the generated vector: recomputed by PostgreSQL, nothing to review
    assert strategy_of(text, "public.contacts", "name_tsv") == "keep"
    assert "REVIEW" not in comment_of(text, "public.contacts", "name_tsv")
    assert rule_of(text, "public.posts", "tsv") == {
        "strategy": "derived",
        "expression": "to_tsvector('pg_catalog.english', concat_ws(' ', author_name, body))",
    }
    with psycopg.connect(dsn) as conn:
        contacts = conn.execute(
            f"SELECT count(*) FILTER (WHERE search_vector = {VECTOR}), "
            "count(*) FILTER (WHERE search_vector @@ plainto_tsquery('simple', first_name) "
            "AND search_vector @@ plainto_tsquery('simple', last_name)), "
            "count(*) FILTER (WHERE search_vector @@ to_tsquery('simple', "
            "'lindqvist | moreau | nakamura | okafor | petrov | quintero | rossi')) "
            "FROM contacts"
        ).fetchone()
        posts = conn.execute(
            "SELECT count(*) FILTER (WHERE tsv = to_tsvector('pg_catalog.english', "
            "concat_ws(' ', author_name, body))), "
            "count(*) FILTER (WHERE tsv @@ to_tsquery('english', 'nakamura | okafor')) FROM posts"
        ).fetchone()
    assert contacts[:2] == (60, 60)  # a search by a masked name finds its contact
    assert posts[0] == 60
    # the original last names are found nowhere (unless the masked names hold them)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM contacts WHERE last_name IN "
            "('Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi')"
        ).fetchone()
    assert contacts[2] == kept[0] == 0


def test_a_trigger_that_does_not_lift_leaves_a_note(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    why = comment_of(text, "public.tickets", "tsv")
    assert strategy_of(text, "public.tickets", "tsv") != "derived"
    assert "REVIEW: trigger tickets_tsv fills it, but its expression cannot be lifted" in why
    assert "subqueries are not allowed" in why
    # decoys: a trigger on another column, a vector the application writes
    assert strategy_of(text, "public.products", "search") == "keep"
    assert "trigger" not in comment_of(text, "public.products", "search")
    assert strategy_of(text, "public.products", "updated_at") == "keep"
