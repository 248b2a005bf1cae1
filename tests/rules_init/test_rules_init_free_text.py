"""Free text about people that `rules init` kept without a word: people named in a few
rows only, and phone numbers written with an extension."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import pii_values

from .helpers import comment_of, generate_and_compile, strategy_of

FIRST = "ARRAY['John', 'Maria', 'Anna', 'Peter', 'Laura', 'David', 'Sarah', 'Thomas']"
LAST = "ARRAY['Smith', 'Garcia', 'Kowalski', 'Miller', 'Fischer', 'Rossi', 'Martin']"


def test_a_few_rows_naming_people_get_a_review_note(make_db, tmp_path: Path) -> None:
    """'Spoke with John Smith' in 4 % of the tickets (under the 10 % that masks) was kept
    silently; several different people are evidence enough for the reviewer to decide.
    One designer on every product, or a list of composers, is no such evidence."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE tickets (id serial PRIMARY KEY, description text NOT NULL,"
            " blurb text NOT NULL, composers text NOT NULL);"
            "INSERT INTO tickets (description, blurb, composers) SELECT CASE WHEN i % 25 = 0"
            f"  THEN 'Spoke with ' || ({FIRST})[1 + i % 8] || ' ' || ({LAST})[1 + i % 7]"
            "   || ' about the refund'"
            "  ELSE 'Customer asked about delivery times, answered' END,"
            " 'Designed by Paul Smith for the spring collection, model ' || i,"
            " CASE WHEN i % 25 = 0 THEN 'John Smith, Maria Garcia, Anna Kowalski'"
            "  ELSE 'Traditional' END"
            " FROM generate_series(1, 400) i"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.tickets", "description") == "keep"
    note = comment_of(text, "public.tickets", "description")
    assert "REVIEW: 16 of 400 sampled values name people (16 different" in note, note
    for column in ("blurb", "composers"):
        assert strategy_of(text, "public.tickets", column) == "keep"
        assert "name people" not in comment_of(text, "public.tickets", column), column


def test_two_people_named_are_no_evidence() -> None:
    rows = ["Spoke with John Smith about the refund", "Spoke with Maria Garcia about it"]
    assert pii_values.people_named_note([*rows, *["nothing to see here"] * 50]) is None
    third = "Spoke with Anna Kowalski about the delivery"
    note = pii_values.people_named_note([*rows, third, *["nothing to see here"] * 50])
    assert note is not None and note.startswith("REVIEW: 3 of 53 sampled values name people")
