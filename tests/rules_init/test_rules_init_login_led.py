"""Values starting with their own person's login (a Taiga model): projects_project.slug
'timothy.velazquez1492-project-1' starts with the owner's users_user.username, hashed,
and was kept with no note."""

from __future__ import annotations

from pathlib import Path

from dbrefresh.rules import login_led

from .helpers import comment_of, generate_and_compile, strategy_of

FIRST = "ARRAY['timothy', 'maria', 'keith', 'anna', 'oliver', 'sophie', 'vincent']"
LAST = "ARRAY['velazquez', 'robinson', 'thompson', 'schmidt', 'miller']"
TAIGA = f"""
CREATE TABLE users_user (id serial PRIMARY KEY, username varchar(255) UNIQUE NOT NULL,
  email varchar(255) UNIQUE NOT NULL, full_name varchar(256) NOT NULL);
INSERT INTO users_user (username, email, full_name)
  SELECT f || '.' || l || i, f || '.' || l || i || '@gmail.com', initcap(f) || ' ' || initcap(l)
  FROM generate_series(1, 200) i,
  LATERAL (SELECT ({FIRST})[1 + i % 7] AS f, ({LAST})[1 + i % 5] AS l) n;
CREATE TABLE projects_project (id serial PRIMARY KEY, name varchar(250) NOT NULL,
  slug varchar(250) UNIQUE NOT NULL, kind varchar(50) NOT NULL,
  owner_id int NOT NULL REFERENCES users_user (id));
INSERT INTO projects_project (name, slug, kind, owner_id)
  SELECT 'Project ' || i, u.username || '-project-' || i, 'scrum', u.id
  FROM generate_series(1, 300) i JOIN users_user u ON u.id = 1 + i % 200;
CREATE TABLE tasks (id serial PRIMARY KEY, ref varchar(50) NOT NULL,
  owner_id int NOT NULL REFERENCES users_user (id));
INSERT INTO tasks (ref, owner_id) SELECT 'task-' || i, 1 + i % 200 FROM generate_series(1, 300) i;
ANALYZE;
"""


def test_starts_with() -> None:
    assert login_led.starts_with("timothy.velazquez1492-project-1", ["timothy.velazquez1492"])
    assert not login_led.starts_with("timothy.velazquez1492", ["timothy.velazquez1492"])
    assert not login_led.starts_with("annabel-project", ["anna"])  # no separator after
    assert not login_led.starts_with("bob-project", ["bob"])  # too short a login


def test_a_slug_led_by_its_owners_login_is_noted(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute(TAIGA)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.users_user", "username") == "hash", text
    note = comment_of(text, "public.projects_project", "slug")
    assert "sampled values start with their own person's login (through owner_id)" in note
    assert "public.users_user.username, which is masked" in note
    assert "login" not in comment_of(text, "public.projects_project", "name")
    assert "login" not in comment_of(text, "public.tasks", "ref")
