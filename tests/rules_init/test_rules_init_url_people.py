"""Query parameters of generic names holding people (url_people.py), and URLs without
their scheme. Matomo's referer_url kept 'https://www.google.com/search?q=Kalina+Howard',
Chatwoot's referer '...&name=John%20Schmidt' beside a masked address, Mattermost's Jira
attachments '.../ViewProfile.jspa?name=bbenard'; Matomo's log_action.name
('shop.example.com/search?q=...', the scheme in url_prefix) got `lorem`, every URL lost."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

FIRST = "ARRAY['Anna','John','Maria','Pierre','Luca','Sophie','Jan','Eva','Kalina','Bruno']"
LAST = "ARRAY['Schmidt','Smith','Garcia','Dubois','Rossi','Martin','Jansen','Novak','Howard']"
LOGIN = "ARRAY['bbenard','agnes46','aimeelesage','afernandes','moreiraisis','sheilaschultz'," + (
    "'andrademaya','angelicaloewer','alana60','anais73']"
)
PRODUCTS = "ARRAY['Blue Shirt','Coffee Mug','Wireless Mouse','Desk Lamp','Travel Mug']"

MATOMO = f"""
CREATE TABLE log_visit (idvisit int PRIMARY KEY, referer_url text, product_url text);
INSERT INTO log_visit SELECT i,
    CASE WHEN i % 2 = 0 THEN 'https://www.google.com/search?q=' || ({FIRST})[1 + i % 10] || '+'
      || ({LAST})[1 + (i / 10) % 9] ELSE 'https://news.example.org/article/' || i END,
    'https://shop.example.com/item?name=' || replace(({PRODUCTS})[1 + i % 5], ' ', '+')
      || '&ref=' || i
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_a_search_naming_people_is_masked_product_names_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MATOMO)
    assert strategy_of(text, "public.log_visit", "referer_url") == "sql", text
    assert "q: full_name" in comment_of(text, "public.log_visit", "referer_url")
    assert rule_of(text, "public.log_visit", "product_url") == "keep", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(*) FILTER (WHERE referer_url = 'https://www.google.com/search?q=masked'),
                 count(*) FILTER (WHERE referer_url = 'https://news.example.org/article/'
                   || idvisit),
                 count(*) FILTER (WHERE referer_url ~ 'Schmidt|Howard|Rossi|Kalina'),
                 count(*) FILTER (WHERE product_url ~ 'name=(Blue|Coffee|Wireless|Desk|Travel)')
               FROM log_visit"""
        ).fetchone()
    assert counts == (100, 100, 0, 200)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


# Chatwoot's conversations.additional_attributes and Mattermost's posts.props
DOCUMENTS = f"""
CREATE TABLE conversations (id int PRIMARY KEY, additional_attributes jsonb);
INSERT INTO conversations SELECT i, jsonb_build_object('referer',
    'https://shop.example.com/account?email=' || lower(({FIRST})[1 + i % 10]) || i
    || '%40gmail.com&name=' || ({FIRST})[1 + i % 10] || '%20' || ({LAST})[1 + (i / 10) % 9],
    'browser_language', 'de')
  FROM generate_series(1, 120) i;
CREATE TABLE posts (id int PRIMARY KEY, props jsonb);
INSERT INTO posts SELECT i, jsonb_build_object('attachments', jsonb_build_array(
    jsonb_build_object('author_link', 'https://jira.acme.io/secure/ViewProfile.jspa?name='
      || ({LOGIN})[1 + i % 10] || CASE WHEN i > 10 THEN (i / 10)::text ELSE '' END,
      'title', 'ACME-' || i || ' Login broken')), 'from_webhook', 'true')
  FROM generate_series(1, 120) i;
ANALYZE;
"""


def test_people_in_json_urls_parameters_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, DOCUMENTS)
    referer = rule_of(text, "public.conversations", "additional_attributes")
    assert referer["paths"] == {"referer": {"strategy": "url_query", "names": ["name"]}}, text
    props = rule_of(text, "public.posts", "props")
    assert props["paths"] == {
        "attachments.*.author_link": {"strategy": "url_query", "names": ["name"]}
    }, text
    with psycopg.connect(dsn) as conn:
        referers = conn.execute(
            r"""SELECT count(*) FILTER (WHERE additional_attributes->>'referer' ~
                 '^https://shop\.example\.com/account\?email=u[0-9a-f]{16}%40example\.invalid&name=[0-9a-f]{16}$'),
               count(DISTINCT additional_attributes->>'referer')
               FROM conversations"""
        ).fetchone()
        links = conn.execute(
            r"""SELECT count(*) FILTER (WHERE props->'attachments'->0->>'author_link' ~
                 '^https://jira\.acme\.io/secure/ViewProfile\.jspa\?name=[0-9a-f]{16}$'),
               count(*) FILTER (WHERE props::text ~ 'bbenard|agnes|sheila')
               FROM posts"""
        ).fetchone()
    assert referers == (120, 120)
    assert links == (120, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


# Matomo's log_action.name: URLs without their scheme (url_prefix holds it), and the
# same beside page titles naming people, which still get lorem
ACTIONS = f"""
CREATE TABLE log_action (idaction int PRIMARY KEY, name text, type int, hash bigint);
INSERT INTO log_action SELECT i, CASE i % 4
    WHEN 0 THEN 'shop.example.com/search?q=' || ({FIRST})[1 + i % 10] || '+'
      || ({LAST})[1 + (i / 10) % 9]
    WHEN 1 THEN 'shop.example.com/account/reset?email=' || lower(({FIRST})[1 + i % 10]) || i
      || '@example.net&token=9e113265f9c3a52b6e8178' || lpad(i::text, 4, '0')
    ELSE 'shop.example.com/products/item-' || i END, 1, 0
  FROM generate_series(1, 200) i;
UPDATE log_action SET hash = hashtext(name);
CREATE TABLE log_titled (idaction int PRIMARY KEY, name text);
INSERT INTO log_titled SELECT idaction, CASE WHEN idaction % 5 = 0 THEN 'Profile of '
    || ({FIRST})[1 + idaction % 10] || ' ' || ({LAST})[1 + (idaction / 10) % 9] ELSE name END
  FROM log_action;
ANALYZE;
"""


def test_urls_without_their_scheme_keep_all_but_their_parameters(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ACTIONS)
    assert strategy_of(text, "public.log_action", "name") == "sql", text
    assert strategy_of(text, "public.log_titled", "name") == "lorem", text
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            r"""SELECT count(*) FILTER (WHERE name = 'shop.example.com/products/item-' || idaction),
                 count(*) FILTER (WHERE name = 'shop.example.com/search?q=masked'),
                 count(*) FILTER (WHERE name ~
                   '^shop\.example\.com/account/reset\?email=u\d+%40example\.invalid&token=redacted\d+$'),
                 count(*) FILTER (WHERE name ~ 'Schmidt|Howard|Rossi|example\.net|9e1132')
               FROM log_action"""
        ).fetchone()
    assert counts == (100, 50, 50, 0)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
