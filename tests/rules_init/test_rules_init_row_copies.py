"""A kept column copying a masked column of OTHER rows of its own table, with no
foreign key: Supabase's auth.refresh_tokens.parent holds the token of the row it was
refreshed from, Matomo's matomo_user.invited_by the login of the user who invited.
Kept while token and login were masked, every original survived in them and no
parent or inviter pointed at a row any more. `rules init` must mask them alike (so
the chain still joins), and leave an integer parent_id, a status and a `created_by`
naming no one alone."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize.api import anonymize, mark_clone

from .helpers import generate_and_compile, rule_of, strategy_of

TOKENS = 600


def _token(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()[:12]


def _build(dsn: str) -> list[str]:
    """A token chain and an invitation tree; the tokens and logins."""
    tokens = [_token(i) for i in range(TOKENS)]
    logins = ["benjaminhamilton"] + [f"user{i:03d}x" for i in range(1, 40)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE refresh_tokens (id bigint PRIMARY KEY, token varchar(255) UNIQUE,
                parent varchar(255), parent_id bigint, status text NOT NULL,
                created_by text NOT NULL);
            CREATE TABLE matomo_user (login varchar(100) PRIMARY KEY,
                email varchar(100) NOT NULL UNIQUE, invited_by varchar(100));
            """
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO refresh_tokens VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        i,
                        t,
                        tokens[i - 1] if i % 3 else None,
                        i - 1 if i % 3 else None,
                        ("active", "revoked", "expired")[i % 3],
                        "system-daemon",
                    )
                    for i, t in enumerate(tokens)
                ],
            )
            cur.executemany(
                "INSERT INTO matomo_user VALUES (%s, %s, %s)",
                [
                    (login, f"{login}@example.org", None if i == 0 else logins[0])
                    for i, login in enumerate(logins)
                ],
            )
        conn.execute("ANALYZE")
    return tokens


def _chain_masked_alike(make_db: Any, tmp_path: Path, **kwargs: Any) -> None:
    dsn = make_db(prefix="rinit")
    tokens = _build(dsn)
    text, _ = generate_and_compile(dsn, tmp_path, **kwargs)
    token = rule_of(text, "public.refresh_tokens", "token")
    assert strategy_of(text, "public.refresh_tokens", "token") == "hash"
    assert strategy_of(text, "public.refresh_tokens", "parent") == "hash", text
    for rule in (token, rule_of(text, "public.refresh_tokens", "parent")):
        if isinstance(rule, dict):
            rule.pop("unique", None)
    assert rule_of(text, "public.refresh_tokens", "parent") in (token, "hash")
    # not personal: an integer self-reference, a status, a service account
    for column in ("parent_id", "status", "created_by"):
        assert strategy_of(text, "public.refresh_tokens", column) == "keep", column
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE c.parent = ANY(%s)),"
            " count(*) FILTER (WHERE p.token IS NULL), count(*)"
            " FROM refresh_tokens c LEFT JOIN refresh_tokens p ON p.token = c.parent"
            " WHERE c.parent IS NOT NULL",
            (tokens,),
        ).fetchone()
    assert row == (0, 0, TOKENS - TOKENS // 3)  # no original; every parent still found


def test_a_token_chain_is_masked_like_the_token(make_db: Any, tmp_path: Path) -> None:
    """A small table, sampled whole: the parents are found in the token's sample."""
    _chain_masked_alike(make_db, tmp_path)


def test_a_token_chain_of_a_large_table_is_found_through_its_index(
    make_db: Any, tmp_path: Path
) -> None:
    """Larger than its sample: the parents are looked up through the token's index."""
    _chain_masked_alike(make_db, tmp_path, sample_rows=100)


def test_an_inviter_login_is_masked_like_the_login(make_db: Any, tmp_path: Path) -> None:
    """Every user invited by the one admin: a single distinct value, judged because
    the column's name says it refers to someone."""
    dsn = make_db(prefix="rinit")
    _build(dsn)
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.matomo_user", "login") != "keep"
    assert strategy_of(text, "public.matomo_user", "invited_by") != "keep", text
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE u.invited_by = 'benjaminhamilton'),"
            " count(*) FILTER (WHERE i.login IS NULL), count(*)"
            " FROM matomo_user u LEFT JOIN matomo_user i ON i.login = u.invited_by"
            " WHERE u.invited_by IS NOT NULL"
        ).fetchone()
    assert row == (0, 0, 39)


def test_a_builtin_account_alone_is_no_copy(make_db: Any, tmp_path: Path) -> None:
    """Every tag created_by 'system', the users table's built-in account: one sampled
    value matching a login is no person's copy, and masked alike (hashed, 'system'
    kept only in users by its switch) the tags no longer named their creator. A
    referring column with 'admin' and one login is not judged on that one login
    either; one with two logins is."""
    dsn = make_db(prefix="rinit")
    logins = [f"user{i:03d}x" for i in range(1, 60)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE users (id bigint PRIMARY KEY, username text UNIQUE NOT NULL,
                email text UNIQUE NOT NULL);
            CREATE TABLE tags (id serial PRIMARY KEY, name text NOT NULL,
                created_by text NOT NULL, updated_by text NOT NULL, owner text NOT NULL);
            """
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO users VALUES (%s, %s, %s)",
                [
                    (i, login, f"{login}@example.org")
                    for i, login in enumerate([*logins, "system", "admin"])
                ],
            )
            cur.executemany(
                "INSERT INTO tags (name, created_by, updated_by, owner) VALUES (%s, %s, %s, %s)",
                [
                    (
                        f"tag-{i}",
                        "system",
                        ("admin", logins[0])[i % 2],
                        (logins[1], logins[2])[i % 2],
                    )
                    for i in range(200)
                ],
            )
        conn.execute("ANALYZE")
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.users", "username") != "keep", text
    assert strategy_of(text, "public.tags", "created_by") == "keep", text
    assert strategy_of(text, "public.tags", "updated_by") == "keep", text
    assert strategy_of(text, "public.tags", "owner") != "keep", text
