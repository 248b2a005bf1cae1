"""A masked value kept in another table reaches staging through it: GitLab masks
users.username, while namespaces.path (a personal namespace is named after its user)
and routes.path hold the same usernames. `rules init` must mask such copies alike (or
name them in a REVIEW note), and leave columns that share a few words alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from faker import Faker

from dbrefresh.anonymize.api import anonymize, mark_clone

from .helpers import comment_of, generate_and_compile, rule_of, strategy_of

GROUPS = ["gitlab-org", "acme-corp", "platform-team", "data-science", "infra-tools"]
# Labels sharing a few words with usernames: chance, not copies.
LABELS = [
    "bug", "feature", "support", "deploy", "backend", "frontend", "documentation",
    "security", "performance", "regression", "needs-review", "wontfix", "duplicate",
    "good-first-issue", "accessibility", "database", "priority::high", "priority::low",
    "workflow::ready", "ux",
]  # fmt: skip


def _usernames(count: int) -> list[str]:
    fake = Faker()
    fake.seed_instance(42)
    names = ["support", "deploy", "backend"]  # also labels
    while len(names) < count:
        name = fake.user_name()
        if name not in names:
            names.append(name)
    return names


def _build(dsn: str, users: int) -> list[str]:
    """A GitLab-like schema: users, their personal namespaces and groups, routes to
    namespaces and projects, and labels; the usernames."""
    names = _usernames(users)
    fake = Faker()
    fake.seed_instance(7)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE users (id int PRIMARY KEY, username text NOT NULL,
                email text NOT NULL UNIQUE, state text NOT NULL DEFAULT 'active');
            CREATE UNIQUE INDEX index_users_on_username ON users (username);
            CREATE TABLE namespaces (id int PRIMARY KEY, name text NOT NULL,
                path text NOT NULL, type text NOT NULL, owner_id int REFERENCES users,
                description text NOT NULL DEFAULT '');
            CREATE TABLE routes (id int PRIMARY KEY, source_id int NOT NULL,
                source_type text NOT NULL, path text NOT NULL UNIQUE, name text);
            CREATE TABLE labels (id int PRIMARY KEY, title text NOT NULL, color text);
            CREATE TABLE web_hooks (id int PRIMARY KEY, url text NOT NULL);
            CREATE TABLE audit_events (id int PRIMARY KEY, author_ref text NOT NULL);
            """
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO users VALUES (%s, %s, %s, %s)",
                [
                    (i, n, f"{n}@{fake.free_email_domain()}", "blocked" if i % 9 == 0 else "active")
                    for i, n in enumerate(names, 1)
                ],
            )
            # namespaces created in another order than users (a sample of the first
            # rows of each does not meet)
            spaces = [(i, n, n, "User", i) for i, n in reversed(list(enumerate(names, 1)))]
            spaces += [(1000 + i, g.title(), g, "Group", None) for i, g in enumerate(GROUPS)]
            cur.executemany("INSERT INTO namespaces VALUES (%s, %s, %s, %s, %s)", spaces)
            routes = [
                (i, sid, "Namespace", path, name) for i, (sid, name, path, *_) in enumerate(spaces)
            ]
            projects = [f"{names[i]}/dotfiles" for i in range(0, len(names), 3)]
            projects += [f"{g}/{p}" for g in GROUPS for p in ("api", "web", "docs")]
            routes += [
                (5000 + i, i, "Project", path, path.replace("/", " / "))
                for i, path in enumerate(projects)
            ]
            cur.executemany("INSERT INTO routes VALUES (%s, %s, %s, %s, %s)", routes)
            cur.executemany(
                "INSERT INTO labels VALUES (%s, %s, '#428bca')", list(enumerate(LABELS))
            )
            cur.executemany(
                "INSERT INTO web_hooks VALUES (%s, %s)",
                [(i, f"https://ci.example.com/hooks/{n}/push") for i, n in enumerate(names)],
            )
            cur.executemany("INSERT INTO audit_events VALUES (%s, %s)", list(enumerate(names)))
        conn.execute("ANALYZE")
    return names


def _output(rule: Any) -> dict[str, Any]:
    """What decides a rule's masked values: its strategy and parameters."""
    full = rule if isinstance(rule, dict) else {"strategy": rule}
    return {k: v for k, v in full.items() if k != "unique"}


def _masks_namespaces_like_users(make_db: Any, tmp_path: Path, users: int, **kwargs: Any) -> None:
    dsn = make_db(prefix="rinit")
    names = _build(dsn, users)
    text, _plan = generate_and_compile(dsn, tmp_path, **kwargs)  # compiles
    assert strategy_of(text, "public.users", "username") != "keep"
    # the same strategy and parameters (`unique: true` only asks the compiler to check)
    assert _output(rule_of(text, "public.namespaces", "path")) == _output(
        rule_of(text, "public.users", "username")
    ), text
    assert "a copy of public.users.username" in comment_of(text, "public.namespaces", "path")
    assert "a copy of public.users.username" in comment_of(text, "public.routes", "path")
    if "sample_rows" not in kwargs:  # (a small sample reads the personal routes only)
        assert "REVIEW: also holds public.users.username" in comment_of(
            text, "public.routes", "path"
        )  # 'user/project' holds it inside

    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM namespaces WHERE path = ANY(%s) OR name = ANY(%s)",
            (names, names),
        ).fetchone()
        assert kept == (0,)
        # masked alike: each personal namespace still carries its user's (masked) name
        joined = conn.execute(
            "SELECT count(*) FILTER (WHERE n.path = u.username), count(*)"
            " FROM namespaces n JOIN users u ON u.id = n.owner_id"
        ).fetchone()
        assert joined == (users, users)


def test_personal_namespaces_are_masked_like_the_username(make_db: Any, tmp_path: Path) -> None:
    """Small tables, sampled whole: the copies are found in the username's sample."""
    _masks_namespaces_like_users(make_db, tmp_path, users=60)


def test_copies_of_a_large_table_are_found_through_its_index(make_db: Any, tmp_path: Path) -> None:
    """users larger than its sample: two samples seldom meet, so the namespace paths
    are looked up through the username's unique index."""
    _masks_namespaces_like_users(make_db, tmp_path, users=400, sample_rows=40)


def test_labels_sharing_a_few_usernames_are_kept(make_db: Any, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    _build(dsn, users=60)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.labels", "title") == "keep"
    assert "users" not in comment_of(text, "public.labels", "title")
    assert strategy_of(text, "public.users", "state") == "keep"
    assert strategy_of(text, "public.routes", "source_type") == "keep"


def test_a_value_holding_the_username_inside_gets_a_review_note(
    make_db: Any, tmp_path: Path
) -> None:
    """A URL built from the username after a word that addresses no account ('/hooks/')
    is no copy, nor an account's address for `url_path`: kept, with a note naming both
    columns."""
    dsn = make_db(prefix="rinit")
    _build(dsn, users=60)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.web_hooks", "url") == "keep"
    assert "REVIEW: holds public.users.username" in comment_of(text, "public.web_hooks", "url")


def test_a_lower_cased_copy_is_rebuilt_from_the_masked_username(
    make_db: Any, tmp_path: Path
) -> None:
    """username_lower = lower(username) in the same row: masked on its own (or kept)
    the two disagreed after masking; a template rebuilds it from the masked username."""
    dsn = make_db(prefix="rinit")
    names = [n.title() for n in _usernames(40)]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE accounts (id int PRIMARY KEY, username text NOT NULL,"
            " username_lower text NOT NULL)"
        )
        conn.cursor().executemany(
            "INSERT INTO accounts VALUES (%s, %s, lower(%s))",
            [(i, n, n) for i, n in enumerate(names)],
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    # logins get {hash, prefix: u} (they must start with a letter): the prefix is text
    # before the template's hash part
    prefix = rule_of(text, "public.accounts", "username").get("prefix", "")
    strategy = strategy_of(text, "public.accounts", "username")
    assert rule_of(text, "public.accounts", "username_lower") == {
        "strategy": "template",
        "template": f"{prefix}{{{strategy}:username|lower}}",
    }
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE username_lower <> lower(username)),"
            " count(*) FILTER (WHERE username_lower = ANY(%s)) FROM accounts",
            ([n.lower() for n in names],),
        ).fetchone()
    assert row == (0, 0)


def test_a_copy_named_like_a_join_column_is_noted_not_masked(make_db: Any, tmp_path: Path) -> None:
    """Other tables may join on a `..._ref` without a foreign key: masked alone, the
    join breaks; the note names both columns."""
    dsn = make_db(prefix="rinit")
    _build(dsn, users=60)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.audit_events", "author_ref") == "keep"
    note = comment_of(text, "public.audit_events", "author_ref")
    assert "REVIEW: a copy of public.users.username" in note
    assert "a key or join column" in note
