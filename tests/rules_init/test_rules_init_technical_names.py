"""Technical columns named like people's names or logins, on schemas modelled on Canvas
LMS, PostHog and Airflow: folder paths, institutions, attribute names, steps, hosts."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import (
    attribute_names,
    enum_values,
    file_names,
    host_names,
    name_evidence,
    name_values,
)

from .helpers import comment_of, generate_and_compile, generate_then_mask, rule_of, strategy_of

USERS = (
    "CREATE TABLE users (id int PRIMARY KEY, name text);"
    "INSERT INTO users SELECT g, (ARRAY['Anna', 'John', 'Maria', 'Peter', 'Laura', 'James',"
    " 'Sarah', 'David', 'Emma', 'Thomas', 'Julia', 'Robert'])[1 + g % 12] || ' ' ||"
    " (ARRAY['Smith', 'Miller', 'Johnson', 'Garcia', 'Brown', 'Wilson', 'Taylor', 'Clark',"
    " 'Lewis', 'Walker', 'Young'])[1 + g % 11] FROM generate_series(1, 200) g;"
)
# Canvas's folders: a root folder per user or course, and sub-folders named by path
FOLDERS = (
    "CREATE TABLE folders (id int PRIMARY KEY, name text, full_name text,"
    " context_id bigint, context_type varchar(255));"
    "INSERT INTO folders SELECT g, CASE WHEN g % 3 = 0 THEN root ELSE sub END,"
    " CASE WHEN g % 3 = 0 THEN root ELSE root || '/' || sub END, 1 + g % 200, context"
    " FROM (SELECT g, CASE WHEN g % 2 = 0 THEN 'my files' ELSE 'course files' END AS root,"
    "  CASE WHEN g % 2 = 0 THEN 'User' ELSE 'Course' END AS context,"
    "  (ARRAY['Unit 1', 'Lecture Slides', 'profile pictures', 'Submissions',"
    "  'conversation attachments', 'Week 2'])[1 + g % 6] AS sub"
    "  FROM generate_series(1, 1200) g) f;"
)


def test_folder_paths_are_no_full_names(make_db, tmp_path: Path) -> None:
    """Canvas's folders.full_name ('course files/Unit 1') got `full_name` by its name;
    the folders then counted as people, and their name and context_type ('Course' is a
    word of 'course files') got `lorem`. Kept, while users' names are still masked."""
    dsn, text = generate_then_mask(make_db, tmp_path, USERS + FOLDERS)
    for column in ("name", "full_name", "context_type"):
        assert strategy_of(text, "public.folders", column) == "keep", column
    note = comment_of(text, "public.folders", "full_name")
    assert "sampled values are paths ('a/b'), not a person's full name: kept" in note, note
    assert strategy_of(text, "public.users", "name") == "full_name"
    with psycopg.connect(dsn) as conn:
        paths = conn.execute(
            "SELECT count(*) FROM folders WHERE full_name LIKE '% files/%'"
            " AND context_type IN ('User', 'Course')"
        ).fetchone()
        kept_names = conn.execute("SELECT count(*) FROM users WHERE name ~ ' Smith$'").fetchone()
    assert paths == (800,)
    assert kept_names == (0,)  # 18 Smiths before


def test_one_default_folder_name_is_no_full_name(make_db, tmp_path: Path) -> None:
    """Canvas with only root folders: 'my files' on every row of folders.full_name."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE folders (id int PRIMARY KEY, full_name text, contact_name text);"
            "INSERT INTO folders SELECT g, 'my files', CASE WHEN g % 2 = 0 THEN 'Anna Smith'"
            " ELSE 'John Miller' END FROM generate_series(1, 200) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.folders", "full_name") == "keep"
    note = comment_of(text, "public.folders", "full_name")
    assert "all 200 sampled values repeat a few lower-case words (1 different" in note, note
    assert strategy_of(text, "public.folders", "contact_name") == "full_name"  # two people


def test_class_names_repeated_name_no_one(make_db, tmp_path: Path) -> None:
    """A kept column of a few class names repeated ('Page', 'Grant', 'Comment') got
    `lorem` from own_names.py when they were also last names of the rows' people; a
    column named for a type is never judged either."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE people (id int PRIMARY KEY, first_name text, last_name text);"
            "INSERT INTO people SELECT g, 'Anna', (ARRAY['Page', 'Grant', 'Smith'])[1 + g % 3]"
            " FROM generate_series(1, 300) g;"
            "CREATE TABLE events (id int PRIMARY KEY, person_id int REFERENCES people,"
            " target text, target_type text, feedback text);"
            "INSERT INTO events SELECT g, 1 + g % 300,"
            " (ARRAY['Page', 'Grant', 'Comment'])[1 + (1 + g % 300) % 3],"
            " (ARRAY['Page post', 'Grant award', 'Comment'])[1 + (1 + g % 300) % 3],"
            " 'Well done ' || (ARRAY['Page', 'Grant', 'Smith'])[1 + (1 + g % 300) % 3] || '!'"
            " FROM generate_series(1, 900) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.events", "target") == "keep"
    assert strategy_of(text, "public.events", "target_type") == "keep"
    assert strategy_of(text, "public.events", "feedback") == "lorem"  # names its person
    assert enum_values.named_enum("context_type") and enum_values.named_enum("type")
    assert not enum_values.named_enum("typed_text") and not enum_values.named_enum("css_class")
    assert enum_values.class_names({"User", "Course", "Admin::Account"}, 30)
    assert not enum_values.class_names({"User", "Course"}, 4)  # not repeated
    assert not enum_values.class_names({"Well done", "Course"}, 30)


ACCOUNTS = (
    "CREATE TABLE accounts (id int PRIMARY KEY, name varchar(255));"
    "INSERT INTO accounts SELECT g, (ARRAY['Springfield University', 'College of Engineering',"
    " 'School of Nursing', 'Department of Mathematics', 'Department of History',"
    " 'Continuing Education', 'Manually-Created Courses', 'Medical School', 'Law School',"
    " 'Graduate Studies', 'Business School', 'Department of Biology'])[1 + g % 12]"
    " FROM generate_series(1, 13) g"
)


def test_institutions_in_a_name_column_are_no_people(make_db, tmp_path: Path) -> None:
    """Canvas's accounts.name (an institution and its units) got `full_name` for
    `name` in a table about people: kept with a note; with people among them, masked."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            ACCOUNTS + ";CREATE TABLE customers (id int PRIMARY KEY, name text);"
            "INSERT INTO customers SELECT g, CASE WHEN g % 2 = 0 THEN 'Springfield University'"
            " ELSE (ARRAY['Anna Smith', 'John Miller', 'Maria Garcia'])[1 + g % 3] END"
            " FROM generate_series(1, 40) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.accounts", "name") == "keep"
    note = comment_of(text, "public.accounts", "name")
    assert "13 of 13 sampled values name organisations" in note, note
    assert "`company` masks them" in note
    assert strategy_of(text, "public.customers", "name") != "keep"


def test_one_institution_is_no_person(make_db, tmp_path: Path) -> None:
    """Canvas's root account alone: one row, 'Springfield University'."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE accounts (id int PRIMARY KEY, name text);"
            "INSERT INTO accounts VALUES (1, 'Springfield University');"
            "CREATE TABLE users (id int PRIMARY KEY, name text);"
            "INSERT INTO users VALUES (1, 'Springfield Miller')"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.accounts", "name") == "keep"
    assert strategy_of(text, "public.users", "name") == "full_name"


def test_attribute_names_are_no_logins(make_db, tmp_path: Path) -> None:
    """Canvas's login_attribute ('NameID', 'tid+oid') and its settings' key, and
    PostHog's person_display_name_properties {email,name,username} were hashed as
    logins; Airflow's task_display_name ('extract' on every row) too."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE account_authorization_configs (id int PRIMARY KEY,"
            " auth_type text, login_attribute text, settings json NOT NULL DEFAULT '{}');"
            "INSERT INTO account_authorization_configs VALUES"
            " (1, 'saml', 'NameID', '{\"login_attribute\": \"eduPersonPrincipalName\"}'),"
            " (2, 'openid_connect', 'sub', '{\"login_attribute\": \"preferred_username\"}'),"
            " (3, 'microsoft', 'tid+oid', '{\"login_attribute\": \"tid+oid\"}'),"
            " (4, 'ldap', 'uid', '{\"login_attribute\": \"sAMAccountName\"}');"
            "CREATE TABLE oidc_mappings (id int PRIMARY KEY, claims jsonb);"
            "INSERT INTO oidc_mappings SELECT g, jsonb_build_object('username',"
            " (ARRAY['preferred_username', 'upn', 'email'])[1 + g % 3], 'name', 'name')"
            " FROM generate_series(1, 30) g;"
            "CREATE TABLE posthog_team (id int PRIMARY KEY,"
            " person_display_name_properties varchar(400)[]);"
            "INSERT INTO posthog_team SELECT g, '{email,name,username}'"
            " FROM generate_series(1, 40) g;"
            "CREATE TABLE task_instance (id int PRIMARY KEY, task_display_name text);"
            "INSERT INTO task_instance SELECT g, (ARRAY['extract', 'transform', 'load'])"
            "[1 + g % 3] FROM generate_series(1, 300) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    for table, column in (
        ("account_authorization_configs", "login_attribute"),
        ("account_authorization_configs", "settings"),
        ("posthog_team", "person_display_name_properties"),
        ("task_instance", "task_display_name"),
        ("oidc_mappings", "claims"),
    ):
        assert strategy_of(text, f"public.{table}", column) == "keep", column
    note = comment_of(text, "public.posthog_team", "person_display_name_properties")
    assert "they name fields or attributes" in note, note
    assert name_evidence.denial("username", ["uid", "mail", "sAMAccountName"]) == (
        "all 3 sampled values name fields or attributes ('uid', 'NameID'), not a user name or login"
    )
    assert name_evidence.denial("username", ["uid", "jdoe", "mail"]) is None
    note = comment_of(text, "public.task_instance", "task_display_name")
    assert "none of their 3 different words holds a digit or a name: kept" in note, note


@pytest.mark.parametrize(
    ("value", "attribute"),
    [
        ("NameID", True),
        ("eduPersonPrincipalName", True),
        ("preferred_username", True),
        ("tid+oid", True),
        ("sAMAccountName", True),
        ("urn:oid:0.9.2342.19200300.100.1.1", True),
        ("email", True),
        ("jdoe", False),
        ("anna.k", False),
        ("CHarmon0", False),
        ("admin", False),
        ("john_smith", False),
        ("name1", False),
    ],
)
def test_attribute_name_shapes(value: str, attribute: bool) -> None:
    assert attribute_names.is_attribute_name(value) is attribute


def test_logins_need_evidence_of_people(make_db, tmp_path: Path) -> None:
    """Login-shaped words are logins with a digit or a name in them, or many different
    ones; a few plain words are kept (a step, a setting)."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE members (id int PRIMARY KEY, display_name text, full_name text);"
            "INSERT INTO members SELECT g, (ARRAY['jsmith', 'mgarcia', 'admin'])[1 + g % 3],"
            " 'player' || g FROM generate_series(1, 30) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.members", "display_name")["default"]["strategy"] == "hash"
    assert strategy_of(text, "public.members", "full_name") == "hash"  # 'player7'
    assert "shaped like logins (no known name): a user name" in comment_of(
        text, "public.members", "full_name"
    )
    different = ["deploy", "backup", "report", "export", "import", "cleanup", "notify"]
    sample = [*different, "archive", "index", "rotate"]  # ten different words
    by_name = name_values.NameMatch("full_name", "name suggests a person's full name")
    assert name_values.overrule(by_name, different) is not None
    assert name_values.overrule(by_name, different)[0] is None  # type: ignore[index]
    assert name_values.overrule(by_name, sample)[0] == "username"  # type: ignore[index]


def test_host_names_are_no_file_names(make_db, tmp_path: Path) -> None:
    """Airflow's connection.host (faker hosts: 'db-71.anderson-rodriguez.com') read as
    file names of people got `file_name`, each host 32 bare hex, '.com' lost."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE connection (id int PRIMARY KEY, host varchar(500));"
            "INSERT INTO connection SELECT g, (ARRAY['db', 'web', 'srv', 'lt'])[1 + g % 4]"
            " || '-' || g || '.' || (ARRAY['anderson-rodriguez', 'smith-garcia',"
            " 'lewis.walker', 'james-clark', 'miller', 'taylor-young'])[1 + g % 6] || '.'"
            " || (ARRAY['com', 'net', 'org', 'biz', 'info', 'de'])[1 + g % 5]"
            " FROM generate_series(1, 300) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.connection", "host") == "keep"
    for host in ("db-71.anderson-rodriguez.com", "smtp.gmail.com", "db.internal:5432"):
        assert host_names.is_domain(host) and not file_names.is_file(host), host
    for name in ("anna-schmidt.pdf", "vincent.schwital", "notes.md", "uploads/anna.smith.de"):
        assert not host_names.is_domain(name), name
    assert file_names.is_file("uploads/anna.smith.de")
