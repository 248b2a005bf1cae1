"""rules init on lists of {name, value} profile fields (Misskey, Akkoma, Mastodon).

Misskey's `user_profile.fields` got paths by position ('1.value' a Matrix id's rule,
'2.value' email): an Email at index 3 was kept, and 'she/her' at index 2 became an email
address. Akkoma's `users.fields` got '*.value: full_name', so every Website became a
person's name; then `*.value: hash` hashed a Website, 'she/her' and an Email alike. Now
the list is read as one `[name=...].value` path per field name (json_selectors.py), each
judged by that name: Email an email, a Website or a Matrix id hashed, Pronouns kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dbrefresh.rules.json_paths import find_paths, read_documents

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE user_profile (id serial PRIMARY KEY, fields jsonb NOT NULL DEFAULT '[]',
                           settings jsonb NOT NULL DEFAULT '[]');
INSERT INTO user_profile (fields, settings)
SELECT jsonb_build_array(
           jsonb_build_object('name', 'Website', 'value', 'https://user' || g || '.example.net'),
           jsonb_build_object('name', 'Matrix', 'value', '@user' || g || ':matrix.org'))
       || CASE WHEN g % 3 = 0 THEN jsonb_build_array(jsonb_build_object(
              'name', 'Email', 'value', 'first' || g || '.last@mail.example.org'))
          ELSE '[]' END
       || CASE WHEN g % 4 = 0 THEN jsonb_build_array(jsonb_build_object(
              'name', 'Pronouns', 'value', (ARRAY['she/her', 'he/him', 'they/them'])[g % 3 + 1]))
          ELSE '[]' END,
       -- settings as name/value pairs, nothing personal: kept
       jsonb_build_array(jsonb_build_object('name', 'theme', 'value', 'dark'),
                         jsonb_build_object('name', 'lang', 'value', 'en-US'))
  FROM generate_series(1, 120) g;
CREATE TABLE users (id serial PRIMARY KEY, name text, fields jsonb DEFAULT '[]');
INSERT INTO users (name, fields)
SELECT n, jsonb_build_array(
           jsonb_build_object('name', 'Website', 'value', 'https://site' || g || '.example.net'),
           jsonb_build_object('name', 'Name', 'value', n))
  FROM generate_series(1, 120) g,
       LATERAL (SELECT (ARRAY['Anna', 'John', 'Maria', 'Peter', 'Laura', 'David'])[g % 6 + 1]
                       || ' ' || (ARRAY['Schmidt', 'Miller', 'Garcia', 'Weber'])[g % 4 + 1]
                       AS n) x;
ANALYZE;
"""


def test_profile_fields_are_judged_by_name_not_position(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    paths = rule_of(text, "public.user_profile", "fields")["paths"]
    assert paths == {
        "[name=Email].value": "email",
        "[name=Matrix].value": "hash",
        "[name=Website].value": "hash",
    }, text
    paths = rule_of(text, "public.users", "fields")["paths"]
    assert paths == {"[name=Name].value": "full_name", "[name=Website].value": "hash"}, text
    assert rule_of(text, "public.user_profile", "settings") == "keep", text
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, fields FROM user_profile ORDER BY id").fetchall()
        settings = conn.execute("SELECT DISTINCT settings::text FROM user_profile").fetchall()
        people = conn.execute("SELECT id, name, fields FROM users ORDER BY id").fetchall()
    assert settings == [
        ('[{"name": "theme", "value": "dark"}, {"name": "lang", "value": "en-US"}]',)
    ]
    for row_id, fields in rows:
        names = [f["name"] for f in fields]  # the pairs and their names kept, in order
        assert names[:2] == ["Website", "Matrix"], fields
        for field in fields:
            assert f"user{row_id}" not in field["value"], fields  # no login left
            assert "mail.example.org" not in field["value"], fields  # at any index
            if field["name"] == "Pronouns":
                assert field["value"] in ("she/her", "he/him", "they/them"), fields  # kept
            if field["name"] == "Email":
                assert "@" in field["value"], fields  # an address still
    for row_id, name, fields in people:
        website, own = (f["value"] for f in fields)
        originals = {
            f"{a} {b}"
            for a in ("Anna", "John", "Maria", "Peter", "Laura", "David")
            for b in ("Schmidt", "Miller", "Garcia", "Weber")
        }
        assert f"site{row_id}" not in website and own not in originals, fields
        assert own == name, fields  # the person's name masked alike in the column and field
        assert website != own, fields  # the Website did not become a person's name


def test_named_pairs_walk_as_one_path_per_name() -> None:
    docs = [
        json.dumps(
            [
                {"name": "Pronouns", "value": "she/her"},
                {"name": "Email", "value": f"ann{i}@mail.example.org", "verified_at": None},
            ][:: 1 if i % 2 else -1]
        )
        for i in range(10)
    ]
    paths = read_documents(docs).paths
    assert set(paths) == {"*.name", "[name=Pronouns].value", "[name=Email].value"}
    found = {f.path: f for f in find_paths(docs, "user_profile")}
    assert set(found) == {"[name=Email].value"} and found["[name=Email].value"].kind == "email"


def test_lists_that_are_no_name_value_pairs_keep_positions() -> None:
    # tags without a value, and pairs whose value is an object: not field lists
    docs = [json.dumps({"tags": [{"name": "linux"}, {"name": "cats"}]}) for _ in range(5)]
    assert set(read_documents(docs).paths) == {"tags.0.name", "tags.1.name"}
    docs = [json.dumps([{"name": "a", "value": {"email": "x@y.org"}}]) for _ in range(5)]
    assert set(read_documents(docs).paths) == {"0.name", "0.value.email"}
