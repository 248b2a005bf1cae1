"""Address lists (Zammad's ticket_articles "to"/cc, LimeSurvey's emailnotificationto)
got `lorem` when lists dominated the sample, their addresses turned into words; they
are emails, each address masked in place, and verify finds no survivor."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify
from dbrefresh.rules import pii_values

from .helpers import generate_then_mask, strategy_of

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, email varchar(255));
INSERT INTO users SELECT g, 'person' || g || '@kunde.example' FROM generate_series(1, 60) g;
CREATE TABLE ticket_articles (id int PRIMARY KEY, created_by_id int REFERENCES users,
  "to" varchar(3000), cc varchar(3000));
INSERT INTO ticket_articles SELECT g, g,
  '"Anna Schmidt' || g || '" <anna.schmidt' || g || '@kunde.example>, support@firma.example',
  'person' || g || '@kunde.example; "Weber, Jürgen" <j.weber' || g || '@partner.example>'
  FROM generate_series(1, 60) g;
CREATE TABLE surveys (sid int PRIMARY KEY, emailnotificationto text);
INSERT INTO surveys SELECT g, 'owner' || g || '@x.example;team' || g || '@y.example'
  FROM generate_series(1, 60) g;
"""


def test_address_lists_are_emails_masked_in_place(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    for table, column in (
        ("public.ticket_articles", "to"),
        ("public.ticket_articles", "cc"),
        ("public.surveys", "emailnotificationto"),
    ):
        assert strategy_of(text, table, column) == "email", (column, text)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            'SELECT a."to", a.cc, u.email FROM ticket_articles a'
            " JOIN users u ON u.id = a.created_by_id"
        ).fetchall()
        surveys = [v for (v,) in conn.execute("SELECT emailnotificationto FROM surveys")]
    for to, cc, email in rows:
        assert to.count(", ") == 1 and to.startswith('"') and pii_values.is_email(to), to
        assert cc.split("; ")[0] == email, (cc, email)  # the same address masks alike
        assert "kunde" not in to + cc and "Weber" not in cc, (to, cc)
    for value in surveys:
        assert value.count(";") == 1 and pii_values.is_email(value), value
        assert "x.example" not in value, value


def test_lists_are_email_values() -> None:
    assert pii_values.is_email('"Anna Schmidt" <anna@kunde.example>, support@firma.example')
    assert pii_values.is_email("a@x.example;b@y.example")
    assert pii_values.is_email('"Weber, Jürgen" <j.weber@partner.example>')
    assert not pii_values.is_email("a@x.example, call me back")
    assert not pii_values.is_email(", ;")
