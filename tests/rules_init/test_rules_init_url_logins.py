"""Logins inside web addresses' paths (Akkoma's ap_id '.../users/alice', its inbox and
follower address, ActivityPub actors in other tables and JSON documents).

They were kept with a REVIEW note (or `lorem` in JSON, no address left), and every
masked login reached staging through them; `follower_address` got `street` by its name.
Now they get `url_path` with the login column's rule: the login masked in place, the
addresses still agreeing with the masked logins and with each other."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.url_logins import words_before

from .helpers import generate_then_mask, rule_of, strategy_of

ROWS = 300
NAMES = ["anna", "jan", "maria", "peter", "julia", "tomasz", "eva", "lukas", "sofia", "ben"]
LOGIN = f"(ARRAY{NAMES})[1 + i % 10] || '.' || (ARRAY['lee', 'kim', 'roth'])[1 + i % 3] || i"
SCHEMA = f"""
CREATE TABLE users (id int PRIMARY KEY, nickname text NOT NULL UNIQUE, ap_id text UNIQUE,
  inbox text, follower_address text);
INSERT INTO users SELECT i, {LOGIN}, 'https://social.example/users/' || {LOGIN},
    'https://social.example/users/' || {LOGIN} || '/inbox',
    'https://social.example/users/' || {LOGIN} || '/followers'
  FROM generate_series(1, {ROWS}) i;
CREATE TABLE activities (id int PRIMARY KEY, actor text, data jsonb);
INSERT INTO activities SELECT i, 'https://social.example/users/' || {LOGIN},
    jsonb_build_object('type', 'Create', 'to', jsonb_build_array(jsonb_build_object(
      'href', 'https://remote' || i % 7 || '.example/@' || {LOGIN})))
  FROM generate_series(1, {ROWS}) i;
"""
URL_RULE = {"strategy": "url_path", "after": ["users"], "rule": {"strategy": "hash", "prefix": "u"}}


def test_rules_init_masks_logins_inside_addresses(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert strategy_of(text, "public.users", "nickname") == "hash"
    for column in ("ap_id", "inbox", "follower_address"):  # follower_address: no street
        assert rule_of(text, "public.users", column) == URL_RULE, column
    assert rule_of(text, "public.activities", "actor") == URL_RULE
    assert rule_of(text, "public.activities", "data")["paths"] == {
        "to.*.href": {**URL_RULE, "after": ["@"]}
    }
    with psycopg.connect(dsn) as conn:
        agree = conn.execute(
            "SELECT count(*) FROM users WHERE ap_id = 'https://social.example/users/' || nickname"
            " AND inbox = ap_id || '/inbox' AND follower_address = ap_id || '/followers'"
        ).fetchone()
        joined = conn.execute(
            "SELECT count(*) FROM activities a JOIN users u ON u.ap_id = a.actor"
        ).fetchone()
        hrefs = conn.execute(
            "SELECT count(*) FROM activities a JOIN users u ON a.data #>> '{to,0,href}'"
            " = 'https://remote' || a.id % 7 || '.example/@' || u.nickname"
        ).fetchone()
        left = conn.execute(
            f"SELECT count(*) FROM users u, activities a, generate_series(1, {ROWS}) i"
            f" WHERE i = u.id AND i = a.id AND (strpos(u.ap_id || u.inbox || a.actor ||"
            f" a.data::text, {LOGIN}) > 0 OR u.nickname = {LOGIN})"
        ).fetchone()
    assert agree == (ROWS,)
    assert joined == (ROWS,)
    assert hrefs == (ROWS,)
    assert left == (0,)


def test_words_before_needs_logins_after_a_path_word() -> None:
    logins = {f"{n}{i}" for n in NAMES for i in range(3)}
    profiles = [f"https://social.example/users/{n}0/inbox" for n in NAMES]
    assert words_before(profiles, logins) == ["users"]
    mentions = [f"https://m.example/@{n}1@remote.example" for n in NAMES]
    assert words_before(mentions, logins) == ["@"]
    # the login in the query string or as the host's first label: no path login
    queries = [f"https://shop.example/search?q={n}0" for n in NAMES]
    assert words_before(queries, logins) is None
    hosts = [f"https://{n}0.github.io/portfolio" for n in NAMES]
    assert words_before(hosts, logins) is None
    # a few logins among many other addresses: no account addresses
    mixed = profiles[:2] + [f"https://shop.example/products/item-{i}" for i in range(10)]
    assert words_before(mixed, logins) is None
    # logins that are also words ('latest', 'stable') after a page's word: documentation
    words = {"latest", "stable", "main", "api", "faq", "install"}
    docs = [f"https://docs.acme.io/guides/{w}" for w in sorted(words)] * 3
    assert words_before(docs, words | logins) is None
    # after an account word, but too few different logins: the same pages over and over
    few = [f"https://social.example/users/{n}0" for n in NAMES[:3]] * 5
    assert words_before(few, logins) is None


def test_built_in_accounts_stay_in_addresses_as_in_the_login_column(
    make_db, tmp_path: Path
) -> None:
    """'admin' is kept in the login column (a built-in account): its address keeps it too,
    or the two would no longer agree."""
    admin = "'https://social.example/users/admin'"
    schema = SCHEMA + (
        f"UPDATE users SET nickname = 'admin', ap_id = {admin},"
        f" inbox = {admin} || '/inbox' WHERE id = 1;"
    )
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert rule_of(text, "public.users", "ap_id")["keep"] == ["admin"]
    with psycopg.connect(dsn) as conn:
        admin = conn.execute("SELECT nickname, ap_id, inbox FROM users WHERE id = 1").fetchone()
        agree = conn.execute(
            "SELECT count(*) FROM users WHERE ap_id = 'https://social.example/users/' || nickname"
        ).fetchone()
    assert admin == (
        "admin",
        "https://social.example/users/admin",
        "https://social.example/users/admin/inbox",
    )
    assert agree == (ROWS,)
