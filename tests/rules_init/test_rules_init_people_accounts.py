"""People `rules init` kept: two named in one line, their messenger handles and web
addresses. Generated, masked and queried on a real database."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.rules import people_lines
from dbrefresh.rules.handles import proposal_for
from dbrefresh.rules.init import strategies_by_name
from dbrefresh.strategies.base import ColumnContext, ColumnType

from .helpers import comment_of, generate_and_compile, rule_of, strategy_of

FIRST = "ARRAY['John', 'Maria', 'Anna', 'Peter', 'Laura', 'David', 'Sarah', 'Thomas']"
LAST = "ARRAY['Smith', 'Garcia', 'Kowalski', 'Miller', 'Fischer', 'Rossi', 'Martin']"
OTHER_FIRST = "ARRAY['Olivia', 'James', 'Sophie', 'Daniel', 'Julia']"
OTHER_LAST = "ARRAY['Brown', 'Wilson', 'Taylor', 'Moore', 'Clark', 'Lewis', 'Walker']"
BOOKINGS = f"""
CREATE TABLE "Booking" (id serial PRIMARY KEY, title text NOT NULL);
INSERT INTO "Booking" (title)
SELECT '30 Min Meeting between ' || ({FIRST})[1 + i % 8] || ' ' || ({LAST})[1 + i % 7]
       || ' and ' || ({OTHER_FIRST})[1 + i % 5] || ' ' || ({OTHER_LAST})[1 + i % 7]
  FROM generate_series(1, 300) i;
"""


def test_a_line_naming_two_people_is_no_list_of_credits(make_db, tmp_path: Path) -> None:
    """Cal.com's booking title names the host and the attendee: as a value naming two
    people it counted as credits and was kept. A list is names and what joins them."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(BOOKINGS)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.Booking", "title") == "lorem"
    assert "300 of 300 sampled values name people" in comment_of(text, "public.Booking", "title")
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="people", progress=False)
    with psycopg.connect(dsn) as conn:
        titles = [r[0] for r in conn.execute('SELECT title FROM "Booking"')]
    assert not [t for t in titles if "Meeting between" in t]


def test_lists_of_people_and_lines_about_them() -> None:
    credits = ["Steven Tyler, Joe Perry", "Anna Schmidt & Peter Miller feat. Bono"]
    lines = ["Meeting between Anna Schmidt and Peter Miller", "Call with Anna Schmidt, Joe Perry"]
    assert all(people_lines.count([v]).lists == 1 for v in credits)
    assert all(people_lines.count([v]).lines == 1 for v in lines)


MOODLE = """
CREATE TABLE mdl_user (
  id bigserial PRIMARY KEY, username varchar(100) NOT NULL,
  icq varchar(15) NOT NULL DEFAULT '', skype varchar(50) NOT NULL DEFAULT '',
  yahoo varchar(50) NOT NULL DEFAULT '', aim varchar(50) NOT NULL DEFAULT '',
  msn varchar(50) NOT NULL DEFAULT '', url varchar(255) NOT NULL DEFAULT '',
  twitter text, linkedin text, github_username text, website text);
INSERT INTO mdl_user (username, icq, skype, yahoo, aim, msn, url, twitter, linkedin,
                      github_username, website)
SELECT 'user' || i, CASE WHEN i % 3 = 0 THEN '' ELSE (100000000 + i * 37)::text END,
       'live:shaun.castro' || i, 'shaun_c' || i, 'shauncastro' || i,
       'shaun' || i || '@hotmail.example', 'https://shauncastro' || i || '.blog.example',
       '@shauncastro' || i, 'https://www.linkedin.com/in/shaun-castro-' || i,
       'shaunc' || i, 'https://shaun' || i || '.example.org'
  FROM generate_series(1, 300) i;
CREATE TABLE company (id serial PRIMARY KEY, name text, website text, twitter text);
INSERT INTO company (name, website, twitter)
SELECT 'Acme ' || i, 'https://acme' || i || '.example', '@acme' || i
  FROM generate_series(1, 300) i;
"""
HANDLES = ("icq", "skype", "yahoo", "aim", "url", "twitter", "linkedin", "github_username")


def test_messenger_handles_and_web_addresses_of_people_are_masked(make_db, tmp_path: Path) -> None:
    """Moodle's mdl_user kept every handle and homepage not holding an email address.
    Each is masked keeping its shape (a URL, a handle's marker, an ICQ number's digits);
    a company's website and handle stay."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(MOODLE)
        before = conn.execute(f"SELECT {', '.join(HANDLES)}, website FROM mdl_user").fetchall()
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.mdl_user", "icq") == "digits"
    assert rule_of(text, "public.mdl_user", "skype")["prefix"] == "live:u"
    assert rule_of(text, "public.mdl_user", "twitter")["prefix"] == "@u"
    assert rule_of(text, "public.mdl_user", "url") == {
        "strategy": "template",
        "template": "https://example.com/{hash}",
    }
    assert "`skype` in a table about people" in comment_of(text, "public.mdl_user", "skype")
    for column in ("website", "twitter"):
        assert strategy_of(text, "public.company", column) == "keep"
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="handles", progress=False)
    with psycopg.connect(dsn) as conn:
        after = conn.execute(f"SELECT {', '.join(HANDLES)}, website FROM mdl_user").fetchall()
    old = {v for row in before for v in row if v}
    assert not old & {v for row in after for v in row}
    for icq, skype, _, _, url, twitter, linkedin, _, website in after:
        assert icq == "" or re.fullmatch(r"\d{9}", icq)
        assert skype.startswith("live:u") and twitter.startswith("@u")
        assert url.startswith("https://example.com/") and website.startswith("https://")
        assert linkedin.startswith("https://www.linkedin.com/in/")


def test_only_handles_and_addresses_of_people_are_accounts() -> None:
    """Sentences under `aim` (a student's goal) and flags are no accounts; a column
    named for no service is none either."""

    def ctx(column: str, table: str = "public.students") -> ColumnContext:
        text = ColumnType(sql="text", base="text", category="S")
        return ColumnContext(table=table, column=column, type=text, nullable=True, unique=False)

    strategies = strategies_by_name()
    assert proposal_for(ctx("aim"), ["Pass the exam in June"] * 5, strategies) is None
    assert proposal_for(ctx("twitter"), ["true", "false"] * 5, strategies) is None
    assert proposal_for(ctx("skype_status"), ["live:ann"] * 5, strategies) is None
    assert proposal_for(ctx("skype", "public.rooms"), ["live:ann"] * 5, strategies) is None
    found = proposal_for(ctx("skype"), ["live:ann", "live:bob"] * 5, strategies)
    assert found is not None and found.params == {"prefix": "live:u", "length": 12}
