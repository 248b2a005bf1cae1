"""vCards and iCalendar objects, in `rules init`: Roundcube's contacts.vcard and SOGo's
c_content got `lorem` whole and the applications could not parse them; Nextcloud keeps
them as bytea (oc_cards.carddata). They get `vcard`: each value still starts with BEGIN:,
names and addresses are masked, the attendee's address agrees with the email column
(also when the email rules are `unique: true`), verify counts no leak; a text merely
mentioning BEGIN:VCARD is not one."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

SCHEMA = r"""
CREATE TABLE contacts (contact_id serial PRIMARY KEY, name text, email text UNIQUE, vcard text);
CREATE TABLE calendar (c_name text PRIMARY KEY, c_content text NOT NULL, c_partmails text);
CREATE TABLE oc_cards (id serial PRIMARY KEY, carddata bytea);
CREATE TABLE notes (id serial PRIMARY KEY, body text);
WITH p AS (SELECT i, initcap(fn) fn, initcap(ln) ln, fn || '.' || ln || '@mailbox.example' em
  FROM unnest(ARRAY['jane','mario','amanda','brian','debra','chad','roger','david']) WITH
  ORDINALITY a(fn, i) JOIN unnest(ARRAY['doe','hernandez','diaz','romero','jones','davis',
  'serrano','walker']) WITH ORDINALITY b(ln, j) ON i = j),
c AS (INSERT INTO contacts (name, email, vcard) SELECT fn || ' ' || ln, em,
  E'BEGIN:VCARD\r\nVERSION:3.0\r\nN:' || ln || ';' || fn || E';;;\r\nFN:' || fn || ' ' || ln
  || E'\r\nEMAIL;TYPE=INTERNET:' || em || E'\r\nTEL;TYPE=cell:+1 555 010 ' || lpad(i::text, 4, '0')
  || E'\r\nEND:VCARD' FROM p RETURNING 1),
k AS (INSERT INTO oc_cards (carddata) SELECT convert_to(E'BEGIN:VCARD\nVERSION:4.0\nFN:' || fn
  || ' ' || ln || E'\nEMAIL:' || em || E'\nUID:card-' || i || E'\nEND:VCARD', 'UTF8') FROM p
  RETURNING 1),
n AS (INSERT INTO notes (body) SELECT 'Exported BEGIN:VCARD files for ' || fn || ' ' || ln
  FROM p RETURNING 1)
INSERT INTO calendar SELECT 'EV' || i || '.ics', E'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'
  || E'BEGIN:VEVENT\r\nUID:EV' || i || E'\r\nSUMMARY:Review with ' || fn || E'\r\nATTENDEE;CN='
  || fn || ' ' || ln || ';PARTSTAT=ACCEPTED:mailto:' || em
  || E'\r\nDTSTART:20240115T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR', em FROM p;
ANALYZE;
"""


def test_vcards_and_calendars_get_vcard_and_still_parse(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.contacts", "vcard") == "vcard", text
    assert strategy_of(text, "public.calendar", "c_content") == "vcard", text
    assert strategy_of(text, "public.oc_cards", "carddata") == "vcard", text
    assert strategy_of(text, "public.notes", "body") != "vcard", text
    assert "iCalendar objects" in comment_of(text, "public.calendar", "c_content")
    # contacts.email is unique, so every email rule is: the vCards' addresses too
    assert rule_of(text, "public.calendar", "c_content")["email"] == {"unique": True}, text
    with psycopg.connect(dsn) as conn:
        cards = conn.execute("SELECT name, email, vcard FROM contacts").fetchall()
        events = conn.execute("SELECT c_name, c_content, c_partmails FROM calendar").fetchall()
        raw = [bytes(b).decode() for (b,) in conn.execute("SELECT carddata FROM oc_cards")]
    for _name, email, vcard in cards:
        assert vcard.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\nN:") and "@mailbox" not in vcard
        assert f"\r\nEMAIL;TYPE=INTERNET:{email}\r\n" in vcard, (email, vcard)
    for c_name, content, partmail in events:
        assert content.startswith("BEGIN:VCALENDAR\r\n") and content.endswith("END:VCALENDAR")
        assert f"UID:{c_name.removesuffix('.ics')}\r\n" in content
        assert f";PARTSTAT=ACCEPTED:mailto:{partmail}\r\n" in content, (partmail, content)
        assert "DTSTART:20240115T090000Z" in content and "mailbox.example" not in content
    for card in raw:
        assert card.startswith("BEGIN:VCARD\nVERSION:4.0\nFN:") and "mailbox" not in card
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
