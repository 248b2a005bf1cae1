"""Free text about people that `rules init` kept without a word: people named in a few
rows only, and phone numbers written with an extension."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from faker import Faker

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


@pytest.mark.parametrize(
    "value",
    [
        "call me at +1 415-555-0199 x204 tomorrow",
        "call me at 797-386-9073x6625 tomorrow",  # faker's en_US, as CRMs store them
        "Reached her on +1-912-490-4047x96669, will call back",
        "new number (710)827-3464x686 from Monday",
        "office 001-305-655-2667x869",
        "ring 555-0199 ext. 12 after lunch",
        "desk phone 555 0199, extension 4",
    ],
)
def test_phone_numbers_with_an_extension_in_text_are_contacts(value: str) -> None:
    assert pii_values.has_contact(value)


@pytest.mark.parametrize(
    "value",
    [
        "screen 1920x1080 at 60Hz",
        "ordered 12 x 3 pieces",
        "build 2.3.1 ext 4 failed",
        "delivered 2024-11-19 ext. 3",
        "total 1234.56 ext 2",
        "scanned 0324106529631x2",  # a barcode, an extension or not
        "ticket 012345678901 x5",
    ],
)
def test_what_only_looks_like_an_extension_is_no_contact(value: str) -> None:
    assert not pii_values.has_contact(value)


def test_notes_with_phone_extensions_are_free_text_about_people() -> None:
    """One note in ten with a number as faker (and many CRMs) write it: the column was
    kept, the 'x' glued to the digits hid two thirds of them."""
    fake = Faker("en_US")
    fake.seed_instance(3)
    numbers = [n for n in (fake.phone_number() for _ in range(400)) if "x" in n][:20]
    assert len(numbers) == 20
    notes = [f"Left a voicemail, call back on {n} before noon" for n in numbers]
    found = pii_values.match_values([*notes, *["Order shipped, no answer needed"] * 180])
    assert found is not None and found.kind == "free_text"
    assert found.reason.startswith("20 of 200 sampled values"), found.reason
