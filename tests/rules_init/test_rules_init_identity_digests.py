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

from dbrefresh.anonymize.api import anonymize, mark_clone

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
