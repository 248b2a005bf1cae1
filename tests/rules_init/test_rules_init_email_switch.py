"""Chatwoot's contact_inboxes.source_id: the contact's email address in the email
inbox's rows, a UUID or a phone number in the others'. It got `hash` ("text containing
an email address or phone number"), so the email inbox's source_id no longer matched
the masked contacts.email. It gets a `switch` by inbox_id now: the email inbox's rows
masked like contacts.email, the others hashed as before."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import generate_then_mask, rule_of, strategy_of

CHATWOOT = """
CREATE TABLE contacts (id serial PRIMARY KEY, name text, email varchar UNIQUE);
INSERT INTO contacts (name, email)
  SELECT f || ' ' || l, lower(f || '.' || l || '.' || i) || '@mail.example'
  FROM generate_series(1, 300) i,
  LATERAL (SELECT (ARRAY['Anna', 'John', 'Maria', 'Pierre', 'Luca', 'Sophie'])[1 + i % 6] f,
    (ARRAY['Schmidt', 'Smith', 'Garcia', 'Dubois', 'Rossi'])[1 + (i / 6) % 5] l) n;
CREATE TABLE contact_inboxes (id serial PRIMARY KEY, contact_id int REFERENCES contacts,
  inbox_id bigint NOT NULL, source_id text NOT NULL, UNIQUE (inbox_id, source_id));
INSERT INTO contact_inboxes (contact_id, inbox_id, source_id)
  SELECT c.id, 1 + c.id % 3, CASE c.id % 3 WHEN 1 THEN c.email
    WHEN 0 THEN md5(c.id::text)::uuid::text ELSE '+4915' || (1000000 + c.id * 7) END
  FROM contacts c;
-- the same values, but no column picks the rows holding addresses: hashed as before
CREATE TABLE identities (id serial PRIMARY KEY, kind text NOT NULL, handle text UNIQUE);
INSERT INTO identities (kind, handle)
  SELECT (ARRAY['a', 'b'])[1 + c.id % 2], CASE c.id % 3 WHEN 1 THEN c.email
    ELSE '+4915' || (1000000 + c.id * 7) END
  FROM contacts c;
ANALYZE;
"""


def test_an_email_inboxs_source_id_masks_like_the_contacts_email(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, CHATWOOT)
    assert rule_of(text, "public.contact_inboxes", "source_id") == {
        "strategy": "switch",
        "by": "inbox_id",
        "cases": {"2": {"strategy": "email", "unique": True}},
        "default": "hash",
        "unique": True,
    }, text
    assert strategy_of(text, "public.identities", "handle") != "switch", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            r"""SELECT count(*) FILTER (WHERE ci.inbox_id = 2 AND ci.source_id = c.email),
                 count(*) FILTER (WHERE ci.inbox_id <> 2 AND ci.source_id !~ '^[0-9a-f]{32}$'),
                 count(*) FILTER (WHERE ci.source_id ~ 'mail\.example$|^\+4915|-')
               FROM contact_inboxes ci JOIN contacts c ON c.id = ci.contact_id"""
        ).fetchone()
    assert row == (100, 0, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
