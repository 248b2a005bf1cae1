"""Built-in accounts: Moodle's mdl_user rows 'guest' and 'admin' got hashed usernames,
and Moodle (which finds its guest account by that name) broke on staging, the admin
login with it. The exact built-in names are kept now; every other name is masked as
before ('admin2', 'Guest' too), and a column joined to it by a foreign key alike."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

SCHEMA = """
CREATE TABLE mdl_user (id bigserial PRIMARY KEY, username varchar(100) NOT NULL UNIQUE,
  firstname varchar(100), lastname varchar(100), email varchar(100));
INSERT INTO mdl_user (username, firstname, lastname, email) VALUES
  ('guest', 'Guest user', ' ', 'root@localhost'), ('admin', 'Admin', 'User', 'a@example.com'),
  ('admin2', 'Anna', 'Schmidt', 'anna@example.com'), ('Guest', 'Paul', 'Martin', 'p@example.com');
INSERT INTO mdl_user (username, firstname, lastname, email)
  SELECT lower((ARRAY['anna', 'john', 'maria', 'pierre'])[1 + g % 4]
  || (ARRAY['schmidt', 'smith', 'garcia', 'dubois', 'rossi'])[1 + g % 5]) || g,
  (ARRAY['Anna', 'John', 'Maria', 'Pierre'])[1 + g % 4],
  (ARRAY['Schmidt', 'Smith', 'Garcia', 'Dubois', 'Rossi'])[1 + g % 5], 'u' || g || '@gmail.com'
  FROM generate_series(1, 200) g;
CREATE TABLE logins (id serial PRIMARY KEY,
  username varchar(100) NOT NULL REFERENCES mdl_user (username) ON UPDATE CASCADE);
INSERT INTO logins (username) SELECT username FROM mdl_user;
"""


def test_builtin_account_names_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.mdl_user", "username")
    assert rule["strategy"] == "switch" and rule["by"] == "username", rule
    assert rule["cases"] == {"guest": "keep", "admin": "keep"}
    assert rule_of(text, "public.logins", "username")["cases"] == rule["cases"]
    with psycopg.connect(dsn) as conn:
        names = conn.execute(
            "SELECT array_agg(username ORDER BY username) FROM mdl_user"
            " WHERE username IN ('guest', 'admin', 'admin2', 'Guest', 'anna1')"
            " OR username LIKE 'anna%' OR username LIKE 'john%'"
        ).fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM logins l LEFT JOIN mdl_user u USING (username) WHERE u.id IS NULL"
        ).fetchone()[0]
    assert names == ["admin", "guest"]
    assert orphans == 0


FRAPPE = """
CREATE TABLE "tabUser" (name varchar(140) PRIMARY KEY, owner varchar(140),
  email varchar(140) NOT NULL UNIQUE, first_name varchar(140), last_name varchar(140),
  full_name varchar(140));
INSERT INTO "tabUser" VALUES
  ('Administrator', 'Administrator', 'admin@example.com', 'Administrator', NULL,
   'Administrator'),
  ('Guest', 'Administrator', 'guest@example.com', 'Guest', NULL, 'Guest');
INSERT INTO "tabUser" SELECT f || '.' || l || g || '@acmecorp.com', 'Administrator',
  f || '.' || l || g || '@acmecorp.com', initcap(f), initcap(l), initcap(f) || ' ' || initcap(l)
  FROM generate_series(1, 30) g, LATERAL (SELECT
    (ARRAY['cindy', 'laura', 'jodi', 'anthony'])[1 + g % 4] f,
    (ARRAY['harmon', 'dunlap', 'nielsen', 'owens', 'banks'])[1 + g % 5] l) n;
CREATE TABLE "tabToDo" (name varchar(140) PRIMARY KEY, owner varchar(140));
INSERT INTO "tabToDo" SELECT 'TD' || g, (SELECT name FROM "tabUser" ORDER BY name
  OFFSET g % 32 LIMIT 1) FROM generate_series(1, 64) g;
"""


def test_builtin_accounts_kept_in_email_keys(make_db, tmp_path: Path) -> None:
    """Frappe's users are keyed by address, but 'Administrator' and 'Guest' by name:
    they stay (their first and full names with them), every address is masked, and
    documents' owners still find their user."""
    dsn, text = generate_then_mask(make_db, tmp_path, FRAPPE)
    rule = rule_of(text, "public.tabUser", "name")
    assert rule["strategy"] == "switch", text
    assert rule["cases"] == {"Administrator": "keep", "Guest": "keep"}
    assert rule["default"] == {"strategy": "email", "unique": True}
    with psycopg.connect(dsn) as conn:
        names = conn.execute(
            """SELECT count(*) FILTER (WHERE name IN ('Administrator', 'Guest')),
                      count(*) FILTER (WHERE name LIKE '%@acmecorp.com'),
                      count(DISTINCT name) FROM "tabUser" """
        ).fetchone()
        orphans = conn.execute(
            """SELECT count(*) FROM "tabToDo" t LEFT JOIN "tabUser" u ON u.name = t.owner
               WHERE u.name IS NULL"""
        ).fetchone()[0]
        own = conn.execute(
            """SELECT count(*) FILTER (WHERE first_name = name AND full_name = name
                        AND name IN ('Administrator', 'Guest')),
                      count(*) FILTER (WHERE first_name IN ('Cindy', 'Laura', 'Jodi', 'Anthony'))
               FROM "tabUser" """
        ).fetchone()
        admins = conn.execute(
            """SELECT count(*) FROM "tabToDo" WHERE owner IN ('Administrator', 'Guest')"""
        ).fetchone()[0]
    assert names == (2, 0, 32)
    assert orphans == 0
    assert admins == 4
    assert own == (2, 0)  # their own names kept, every person's masked


FLOWABLE = """
CREATE TABLE act_id_user (id_ varchar(64) PRIMARY KEY, first_ varchar(255),
  last_ varchar(255), email_ varchar(255));
CREATE TABLE act_id_membership (user_id_ varchar(64) REFERENCES act_id_user (id_),
  group_id_ varchar(64), PRIMARY KEY (user_id_, group_id_));
CREATE TABLE act_ru_task (id_ varchar(64) PRIMARY KEY, assignee_ varchar(255));
INSERT INTO act_id_user VALUES ('admin', 'Admin', 'Admin', 'admin@flowable.example');
INSERT INTO act_id_user SELECT f || '.' || l || g, initcap(f), initcap(l),
  f || '.' || l || g || '@acmecorp.com'
  FROM generate_series(1, 60) g, LATERAL (SELECT
    (ARRAY['cindy', 'laura', 'jodi', 'anthony'])[1 + g % 4] f,
    (ARRAY['harmon', 'dunlap', 'nielsen', 'owens', 'banks'])[1 + g % 5] l) n;
INSERT INTO act_id_membership SELECT id_, 'flowableUser' FROM act_id_user;
INSERT INTO act_ru_task SELECT 't' || g, (SELECT id_ FROM act_id_user ORDER BY id_
  OFFSET g % 61 LIMIT 1) FROM generate_series(1, 120) g;
"""


def test_builtin_login_key_masked_on_both_sides(make_db, tmp_path: Path) -> None:
    """Flowable's user key and its membership's foreign key, each named differently,
    got switches differing in `by:` alone (each naming itself): refused as masked
    differently, both were kept while the tasks' assignees were hashed, so the
    logins (built from names) stayed and no task found its user. Both are masked
    alike now, 'admin' kept."""
    dsn, text = generate_then_mask(make_db, tmp_path, FLOWABLE)
    user = rule_of(text, "public.act_id_user", "id_")
    member = rule_of(text, "public.act_id_membership", "user_id_")
    assert user["strategy"] == member["strategy"] == "switch", text
    assert user["cases"] == member["cases"] == {"admin": "keep"}
    with psycopg.connect(dsn) as conn:
        plain, members, tasks = conn.execute(
            "SELECT (SELECT count(*) FROM act_id_user WHERE id_ LIKE '%.%'),"
            " (SELECT count(*) FROM act_id_membership m LEFT JOIN act_id_user u"
            "  ON u.id_ = m.user_id_ WHERE u.id_ IS NULL),"
            " (SELECT count(*) FROM act_ru_task t LEFT JOIN act_id_user u"
            "  ON u.id_ = t.assignee_ WHERE u.id_ IS NULL)"
        ).fetchone()
        admin = conn.execute("SELECT count(*) FROM act_id_user WHERE id_ = 'admin'").fetchone()
    assert (plain, members, tasks, admin[0]) == (0, 0, 0, 1)


CAMUNDA = """
CREATE TABLE act_id_user (id_ varchar(64) PRIMARY KEY, first_ varchar(255),
  last_ varchar(255), salt_ varchar(255));
CREATE TABLE act_id_membership (user_id_ varchar(64) REFERENCES act_id_user (id_),
  group_id_ varchar(64), PRIMARY KEY (user_id_, group_id_));
CREATE TABLE act_ru_task (id_ varchar(64) PRIMARY KEY, assignee_ varchar(255));
INSERT INTO act_id_user VALUES ('admin', 'Admin', 'Admin', 's0'), ('demo', 'Demo', 'Demo', 's1');
INSERT INTO act_id_user SELECT CASE g % 4 WHEN 0 THEN lower(f) || '.' || lower(l)
    WHEN 1 THEN lower(left(f, 1) || l) WHEN 2 THEN lower(l) || g ELSE lower(l || f) END,
  f, l, 's' || (g + 1)
  FROM generate_series(1, 60) g, LATERAL (SELECT
    (ARRAY['Edwin', 'Richard', 'Trudel', 'Katja', 'Brenda', 'Hilde'])[1 + g % 6] || '' f,
    (ARRAY['Fisher', 'Ware', 'Schuchhardt', 'Good', 'Ward', 'Livingston', 'Stewart',
      'Hiller', 'Junk', 'Marsh', 'Wagner'])[1 + g % 11] l) n;
INSERT INTO act_id_membership SELECT id_, 'camunda-admin' FROM act_id_user;
INSERT INTO act_ru_task SELECT 't' || g, (SELECT id_ FROM act_id_user ORDER BY id_
  OFFSET g % 62 LIMIT 1) FROM generate_series(1, 120) g;
CREATE TABLE act_ru_authorization (id_ varchar(64) PRIMARY KEY, resource_type_ int,
  resource_id_ varchar(255), user_id_ varchar(255));
INSERT INTO act_ru_authorization SELECT 'a' || id_, 1, id_, id_ FROM act_id_user;
INSERT INTO act_ru_authorization VALUES ('p1', 6, 'invoice', NULL),
  ('p2', 6, 'loanApplication', NULL), ('g1', 2, 'camunda-admin', NULL),
  ('w1', 0, 'tasklist', NULL), ('w2', 0, 'cockpit', NULL), ('s', 1, '*', NULL);
"""


def test_logins_made_of_the_rows_own_names_are_hashed(make_db, tmp_path: Path) -> None:
    """Camunda's act_id_user.id_ ('efisher', 'ware24', 'edwin.fisher'): too few looked
    like logins made of names by their values alone, so it was kept, and every task's
    assignee_ with it. Each holds its own row's first_ or last_: hashed, the membership
    key alike and the assignees as its copies; 'admin' and 'demo' kept."""
    dsn, text = generate_then_mask(make_db, tmp_path, CAMUNDA)
    user = rule_of(text, "public.act_id_user", "id_")
    assert user["strategy"] == "switch", text
    assert user["cases"] == {"admin": "keep", "demo": "keep"}
    assert rule_of(text, "public.act_id_membership", "user_id_")["cases"] == user["cases"]
    with psycopg.connect(dsn) as conn:
        kept, members, tasks = conn.execute(
            "SELECT (SELECT array_agg(id_ ORDER BY id_) FROM act_id_user"
            "  WHERE id_ !~ '^u[0-9a-f]{32}$'),"
            " (SELECT count(*) FROM act_id_membership m LEFT JOIN act_id_user u"
            "  ON u.id_ = m.user_id_ WHERE u.id_ IS NULL),"
            " (SELECT count(*) FROM act_ru_task t LEFT JOIN act_id_user u"
            "  ON u.id_ = t.assignee_ WHERE u.id_ IS NULL)"
        ).fetchone()
    assert (kept, members, tasks) == (["admin", "demo"], 0, 0)
    # resource_id_ names a user, a process, a group or an app, as resource_type_ says:
    # hashed whole, the other authorizations pointed nowhere; kept, with a REVIEW note
    assert strategy_of(text, "public.act_ru_authorization", "resource_id_") == "keep", text
    assert "switch` by resource_type_" in comment_of(
        text, "public.act_ru_authorization", "resource_id_"
    )
