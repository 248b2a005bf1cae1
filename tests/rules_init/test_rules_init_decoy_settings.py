"""Decoys the latest detectors of `rules init` mistook for people, on real PostgreSQL.

- a category tree's `parent_name` ('Outdoor') became a full name, its children lorem:
  `parent_name` is a person's only in a table about people (mother_name, guardian_name
  stay names anywhere);
- a settings table read by column prefix (opt_name/opt_value, cfg_key/cfg_value) made
  its `*_address` endpoints (LDAP URLs, DNs, host:port, 0.0.0.0) streets and its
  `ip_address` 0.0.0.0 and `remote_address` 'tcp://10.0.0.5:5432' random IPs: they are
  kept, a real street and a client's IP under other keys still masked;
- import statistics [["city", 148, 11], ...] got `'[city]': city` and their counts
  became strings: a field triple's numbers give it no path;
- vCard templates ('FN:{{ contact.full_name }}') got `vcard`, which masked the
  placeholders: a column of templates gets none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import verify_report
from dbrefresh.rules.json_paths import read_documents

from .helpers import generate_then_mask, rule_of, strategy_of

FIRST = ("Anna", "Jonas", "Maria", "Lukas", "Sofia", "Felix", "Clara", "David", "Emma", "Noah")
LAST = ("Berg", "Keller", "Hofmann", "Weber", "Lindqvist", "Morales", "Novak", "Fischer")
NAMES_SQL = ", ".join(f"'{f} {LAST[i % len(LAST)]}'" for i, f in enumerate(FIRST))


def _rows(dsn: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


TREE = f"""
CREATE TABLE categories (id serial PRIMARY KEY, name text, parent_name text, slug text);
INSERT INTO categories (name, parent_name, slug)
SELECT p || ' ' || s || ' ' || g, p, lower(replace(p || ' ' || s || ' ' || g, ' ', '-'))
FROM generate_series(1, 300) g, LATERAL (SELECT (ARRAY['Electronics', 'Home & Garden',
  'Toys', 'Books', 'Sports', 'Kitchen', 'Office', 'Outdoor'])[1 + (g * 7) % 8] p,
  (ARRAY['Accessories', 'Deals', 'Basics', 'Pro'])[1 + g % 4] s) x;
CREATE TABLE students (id serial PRIMARY KEY, parent_name text);
INSERT INTO students (parent_name)
SELECT (ARRAY[{NAMES_SQL}])[1 + g % 10] FROM generate_series(1, 200) g;
CREATE TABLE enrolments (id serial PRIMARY KEY, mother_name text, guardian_name text);
INSERT INTO enrolments (mother_name, guardian_name)
SELECT (ARRAY[{NAMES_SQL}])[1 + g % 10], (ARRAY[{NAMES_SQL}])[1 + (g + 3) % 10]
FROM generate_series(1, 200) g;
ANALYZE;
"""


def test_a_category_trees_parent_name_is_no_persons(make_db: Any, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, TREE)
    for column in ("name", "parent_name", "slug"):
        assert strategy_of(text, "public.categories", column) == "keep", text
    assert strategy_of(text, "public.students", "parent_name") == "full_name", text
    assert strategy_of(text, "public.enrolments", "mother_name") == "full_name", text
    assert strategy_of(text, "public.enrolments", "guardian_name") == "full_name", text
    tree = _rows(dsn, "SELECT parent_name, count(*) FROM categories GROUP BY 1 ORDER BY 1")
    assert [p for p, _ in tree][:3] == ["Books", "Electronics", "Home & Garden"]
    unlike = "SELECT count(*) FROM categories WHERE name NOT LIKE parent_name || ' %'"
    assert _rows(dsn, unlike) == [(0,)]
    names = {f"{f} {LAST[i % len(LAST)]}" for i, f in enumerate(FIRST)}
    kept = _rows(
        dsn, "SELECT parent_name FROM students UNION ALL SELECT mother_name FROM enrolments"
    )
    assert not names & {p for (p,) in kept}


SETTINGS = """
CREATE TABLE ldap_settings (id serial PRIMARY KEY, opt_name text, opt_value text);
INSERT INTO ldap_settings (opt_name, opt_value)
SELECT k, v FROM generate_series(1, 10), (VALUES
 ('server_address', 'ldaps://ldap.corp.example.com:636'),
 ('ldap_address', 'ldaps://ldap.corp.example.com:636'),
 ('bind_address', '0.0.0.0:389'),
 ('admin_address', 'cn=admin,dc=corp,dc=example,dc=com'),
 ('listen_address', '[::]:8080'),
 ('remote_address', 'tcp://10.0.0.5:5432'),
 ('ip_address', '0.0.0.0'),
 ('loopback_address', '127.0.0.1'),
 ('base_dn', 'dc=corp,dc=example,dc=com')) t(k, v);
CREATE TABLE app_config (id serial PRIMARY KEY, cfg_key text, cfg_value text);
INSERT INTO app_config (cfg_key, cfg_value)
SELECT 'smtp_address', 'smtp.mail.example.net:587' FROM generate_series(1, 20)
UNION ALL SELECT 'proxy_address', 'socks5://127.0.0.1:1080' FROM generate_series(1, 20)
UNION ALL SELECT 'owner_home_address', (g * 7 % 90 + 1) || ' ' || (ARRAY['Baker Street',
  'Elm Road', 'Mill Lane', 'Church Street', 'Station Road'])[1 + g % 5] || ', London'
  FROM generate_series(1, 20) g
UNION ALL SELECT 'last_login_ip_address', '203.0.113.' || (g * 11 % 250 + 1)
  FROM generate_series(1, 20) g;
ANALYZE;
"""


def test_network_settings_in_prefixed_key_values_are_kept(make_db: Any, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SETTINGS)
    assert strategy_of(text, "public.ldap_settings", "opt_value") == "keep", text
    rule = rule_of(text, "public.app_config", "cfg_value")
    assert rule["strategy"] == "switch" and rule["by"] == "cfg_key", text
    assert rule["cases"] == {"last_login_ip_address": "ip", "owner_home_address": "street"}
    ldap = _rows(dsn, "SELECT DISTINCT opt_name, opt_value FROM ldap_settings ORDER BY 1")
    assert dict(ldap)["bind_address"] == "0.0.0.0:389" and len(ldap) == 9
    assert dict(ldap)["remote_address"] == "tcp://10.0.0.5:5432"
    config = _rows(dsn, "SELECT cfg_key, cfg_value FROM app_config")
    by_key: dict[str, set[str]] = {}
    for key, value in config:
        by_key.setdefault(key, set()).add(value)
    assert by_key["smtp_address"] == {"smtp.mail.example.net:587"}
    assert by_key["proxy_address"] == {"socks5://127.0.0.1:1080"}
    assert not any(v.endswith(", London") for v in by_key["owner_home_address"])
    assert not any(v.startswith("203.0.113.") for v in by_key["last_login_ip_address"])


def _stats(i: int) -> list[list[Any]]:
    return [["city", i % 500, i % 50], ["price", i % 400, i % 40], ["sku", i % 300, i % 30]]


def _changes(i: int) -> list[list[Any]]:
    first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
    return [
        ["email_id", f"{first.lower()}.{i}@example.com", f"{last.lower()}{i}@mail.example"],
        ["qty", i % 7, i % 9],
        # a number in one document, a string in the next: no path either
        ["city", "Berlin" if i % 2 else None, 10115 if i % 2 == 0 else "Hamburg"],
    ]


STATS_SQL = "jsonb_build_array(jsonb_build_array('city', {g} % 500, {g} % 50), \
jsonb_build_array('price', {g} % 400, {g} % 40), jsonb_build_array('sku', {g} % 300, {g} % 30))"
# the email, a quantity, and a city that is a number in one document, a string in the next
CHANGED_SQL = "jsonb_build_array(jsonb_build_array('email_id', 'p.' || {g} || '@example.com', \
'q' || {g} || '@mail.example'), jsonb_build_array('qty', {g} % 7, {g} % 9), \
jsonb_build_array('city', CASE WHEN {g} % 2 = 1 THEN 'Berlin' END, \
CASE WHEN {g} % 2 = 0 THEN to_jsonb(10115) ELSE to_jsonb('Hamburg'::text) END))"
TRIPLES = f"""
CREATE TABLE import_runs (id int PRIMARY KEY, field_stats jsonb, changed jsonb);
INSERT INTO import_runs SELECT g, {STATS_SQL.format(g="g")}, {CHANGED_SQL.format(g="g")}
FROM generate_series(1, 1500) g;
ANALYZE;
"""


def test_numbers_in_field_triples_get_no_path(make_db: Any, tmp_path: Path) -> None:
    read = read_documents([json.dumps(_changes(i)) for i in range(40)])
    assert set(read.paths) == {"[email_id]"}
    dsn, text = generate_then_mask(make_db, tmp_path, TRIPLES)
    assert strategy_of(text, "public.import_runs", "field_stats") == "keep", text
    assert rule_of(text, "public.import_runs", "changed") == {
        "strategy": "jsonb",
        "paths": {"[email_id]": "email"},
    }, text
    stats, changed = STATS_SQL.format(g="id"), CHANGED_SQL.format(g="id")
    (counts,) = _rows(
        dsn,
        f"SELECT count(*) FILTER (WHERE field_stats <> {stats}),"
        f" count(*) FILTER (WHERE changed - 0 <> {changed} - 0),"
        f" count(*) FILTER (WHERE changed -> 0 ->> 1 = 'p.' || id || '@example.com'"
        f"  OR changed -> 0 ->> 2 = 'q' || id || '@mail.example') FROM import_runs",
    )
    assert counts == (0, 0, 0)  # counts stay numbers, the emails masked
    assert verify_report(dsn, [tmp_path / "rules.yaml"], seed="rules-init").findings == []


TEMPLATES = r"""
CREATE TABLE email_templates (id serial PRIMARY KEY, name text, vcard_template text);
INSERT INTO email_templates (name, vcard_template)
SELECT 'tpl' || g, E'BEGIN:VCARD\r\nVERSION:3.0\r\n' || (ARRAY[
  E'FN:{{ contact.full_name }}\r\nEMAIL:{{ contact.email }}\r\nTEL:{{ contact.phone }}',
  E'FN:${user.displayName}\r\nEMAIL:${user.mail}',
  E'FN:%s\r\nTEL:%s',
  E'FN:{% if c %}{{ c.name }}{% endif %}\r\nNOTE:[[note]]'])[1 + g % 4] || E'\r\nEND:VCARD\r\n'
FROM generate_series(1, 40) g;
CREATE TABLE contacts (id serial PRIMARY KEY, vcard text);
WITH p AS (SELECT i, fn, ln FROM unnest(ARRAY['Jane','Mario','Amanda','Brian','Debra','Chad'])
  WITH ORDINALITY a(fn, i) JOIN unnest(ARRAY['Doe','Hernandez','Diaz','Romero','Jones',
  'Davis']) WITH ORDINALITY b(ln, j) ON i = j)
INSERT INTO contacts (vcard) SELECT E'BEGIN:VCARD\r\nVERSION:3.0\r\nN:' || ln || ';' || fn
  || E';;;\r\nFN:' || fn || ' ' || ln || E'\r\nEMAIL:' || lower(fn) || '@mailbox.example'
  || E'\r\nNOTE:discount 10%, call {' || i || E'}\r\nEND:VCARD' FROM p;
ANALYZE;
"""


def test_vcard_templates_get_no_vcard_rule(make_db: Any, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, TEMPLATES)
    assert strategy_of(text, "public.email_templates", "vcard_template") == "keep", text
    assert strategy_of(text, "public.contacts", "vcard") == "vcard", text
    after = _rows(dsn, "SELECT vcard_template FROM email_templates ORDER BY id")
    assert all("{{ contact.full_name }}" in t for (t,) in after[3::4]), after
    assert sum("${user.mail}" in t for (t,) in after) == 10
    cards = [v for (v,) in _rows(dsn, "SELECT vcard FROM contacts")]
    assert cards and not any("@mailbox.example" in v or "Jane Doe" in v for v in cards)
