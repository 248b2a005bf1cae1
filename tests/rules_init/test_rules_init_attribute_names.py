"""Name keys holding a field's name or one setting's word: Wiki.js' LDAP mapping
{"mappingDisplayName": "displayName"} got `full_name` (the login then looked up a fake
person's name as the attribute), its mail settings {"senderName": "Wiki"} a person."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_and_compile, rule_of

SCHEMA = """
CREATE TABLE authentication (key varchar(255) PRIMARY KEY, config json NOT NULL);
INSERT INTO authentication VALUES ('local', '{}'),
  ('ldap1', '{"bindCredentials": "S3cr3t", "mappingUID": "uid", "mappingEmail": "mail",
    "mappingDisplayName": "displayName", "mappingFirstName": "givenName"}'),
  ('ldap2', '{"mappingDisplayName": "cn", "mappingFirstName": "givenName"}');
CREATE TABLE settings (key varchar(255) PRIMARY KEY, value json NOT NULL);
INSERT INTO settings VALUES ('mail', '{"senderName": "Wiki", "senderEmail": "wiki@acme.com"}'),
  ('owner', '{"senderName": "Hans Owner"}');
CREATE TABLE profiles (id serial PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO profiles (doc) SELECT jsonb_build_object('displayName', n, 'firstName', f)
  FROM unnest(ARRAY['Anna Schmidt', 'Jan Kowalski', 'Marie Dubois', 'Carlos Garcia'],
    ARRAY['Anna', 'Jan', 'Marie', 'Carlos']) u(n, f);
ANALYZE;
"""


def test_field_names_and_one_settings_word_are_no_people(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    config = rule_of(text, "public.authentication", "config")
    assert config["paths"] == {"bindCredentials": "hash"}, config
    note = comment_of(text, "public.authentication", "config")
    assert "mappingDisplayName" in note and "not what their key names" in note, note
    settings = rule_of(text, "public.settings", "value")
    cases = settings["cases"]
    assert "senderName" not in cases["mail"]["paths"], settings
    assert cases["owner"]["paths"]["senderName"] == "full_name", settings
    profiles = rule_of(text, "public.profiles", "doc")["paths"]
    assert profiles == {"displayName": "full_name", "firstName": "first_name"}, profiles
