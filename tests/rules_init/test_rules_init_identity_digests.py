"""Sentry's sentry_eventuser.hash is md5('id:' + ident): kept beside the masked ident
and email, anyone could recompute it from a guessed ident, and it no longer matched
the masked values. `rules init` must hash it (hex of the same length), and keep
digests of content, and digests in tables that mask no one's identity."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg
from faker import Faker

from dbrefresh.anonymize.api import anonymize, mark_clone, verify

from .helpers import generate_and_compile, rule_of, strategy_of

ROWS = 200


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_a_digest_of_a_masked_identity_is_hashed(make_db: Any, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    fake = Faker()
    fake.seed_instance(11)
    people = [(fake.unique.user_name(), fake.unique.email()) for _ in range(ROWS)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE sentry_eventuser (id bigint PRIMARY KEY, project_id bigint NOT NULL,
                hash varchar(32) NOT NULL, ident varchar(128), email varchar(75),
                content_hash varchar(32) NOT NULL, UNIQUE (project_id, hash));
            CREATE TABLE releases (id bigint PRIMARY KEY, version text NOT NULL,
                hash varchar(40) NOT NULL);
            """
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sentry_eventuser VALUES (%s, 1, %s, %s, %s, %s)",
                [
                    (i, _md5(f"id:{login}"), login, email, _md5(f"payload {i % 7}"))
                    for i, (login, email) in enumerate(people)
                ],
            )
            cur.executemany(
                "INSERT INTO releases VALUES (%s, %s, %s)",
                [(i, f"1.{i}.0", hashlib.sha1(str(i).encode()).hexdigest()) for i in range(50)],
            )
        conn.execute("ANALYZE")
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.sentry_eventuser", "email") != "keep"
    rule = rule_of(text, "public.sentry_eventuser", "hash")
    assert {k: v for k, v in rule.items() if k != "unique"} == {"strategy": "hash", "length": 32}
    assert strategy_of(text, "public.sentry_eventuser", "content_hash") == "keep"
    assert strategy_of(text, "public.releases", "hash") == "keep"  # no identity beside it
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE hash = ANY(%s)),"
            " count(*) FILTER (WHERE hash ~ '^[0-9a-f]{32}$'), count(DISTINCT hash)"
            " FROM sentry_eventuser",
            ([_md5(f"id:{login}") for login, _ in people],),
        ).fetchone()
    assert row == (0, ROWS, ROWS)


def test_digests_of_files_and_commits_are_kept(make_db: Any, tmp_path: Path) -> None:
    """Discourse's uploads.sha1 is the file's bytes' SHA-1, which the kept url holds and
    the application looks the upload up by; Gitea's release.sha1 a commit's. Beside a
    masked file name or note (nearly all distinct, but no one's identity), or beside a
    masked login while the url holds it, hashing them broke the uploads and verify."""
    dsn = make_db(prefix="rinit")
    fake = Faker()
    fake.seed_instance(12)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE uploads (id serial PRIMARY KEY, user_id bigint,
                original_filename varchar(255) NOT NULL, url varchar(255) NOT NULL,
                sha1 varchar(40) UNIQUE, extension varchar(10));
            CREATE TABLE release (id serial PRIMARY KEY, tag_name text, sha1 varchar(64),
                note text);
            CREATE TABLE avatars (id serial PRIMARY KEY, username text UNIQUE,
                url text NOT NULL, sha1 varchar(40) NOT NULL);
            """
        )
        with conn.cursor() as cur:
            for i in range(ROWS):
                sha = hashlib.sha1(f"bytes {i}".encode()).hexdigest()
                name = fake.name()
                cur.execute(
                    "INSERT INTO uploads (user_id, original_filename, url, sha1, extension)"
                    " VALUES (%s, %s, %s, %s, 'pdf')",
                    (
                        i,
                        f"{name.replace(' ', '_')}_CV_{i}.pdf",
                        f"/uploads/default/original/1X/{sha}.pdf",
                        sha,
                    ),
                )
                cur.execute(
                    "INSERT INTO release (tag_name, sha1, note) VALUES (%s, %s, %s)",
                    (
                        f"v1.{i}.0",
                        hashlib.sha1(f"commit {i}".encode()).hexdigest(),
                        f"Thanks to {name} for the fixes. {fake.sentence()}",
                    ),
                )
                cur.execute(
                    "INSERT INTO avatars (username, url, sha1) VALUES (%s, %s, %s)",
                    (f"{fake.user_name()}{i}", f"/avatars/{sha}/120.png", sha),
                )
        conn.execute("ANALYZE")
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.uploads", "original_filename") != "keep", text
    assert strategy_of(text, "public.release", "note") != "keep", text
    assert strategy_of(text, "public.avatars", "username") != "keep", text
    assert strategy_of(text, "public.uploads", "sha1") == "keep", text
    assert strategy_of(text, "public.release", "sha1") == "keep", text
    assert strategy_of(text, "public.avatars", "sha1") == "keep", text  # the url holds it
    mark_clone(dsn)
    anonymize(dsn, [tmp_path / "rules.yaml"], seed="rules-init", progress=False)
    with psycopg.connect(dsn) as conn:
        linked = conn.execute(
            "SELECT count(*) FROM uploads WHERE url LIKE '%/' || sha1 || '.pdf'"
        ).fetchone()
    assert linked == (ROWS,)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
