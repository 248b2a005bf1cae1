"""rules init on a lower-cased login under a composite unique key (Misskey's user).

`usernameLower` is lower(username), unique with `host`; most usernames are lower case
already. The template rebuilding the copy from `username` cannot stay injective there
(`username` has no key of its own), so each was hashed on its own and lower(username)
<> usernameLower on 302 of 1500 rows. Now `username` is rebuilt from the copy instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from .helpers import comment_of, generate_and_compile, generate_then_mask, rule_of

MISSKEY = """
CREATE TABLE "user" (id varchar(32) PRIMARY KEY, username varchar(128) NOT NULL,
  "usernameLower" varchar(128) NOT NULL, host varchar(128), name varchar(128));
CREATE UNIQUE INDEX user_lower_host ON "user" ("usernameLower", host);
INSERT INTO "user"
  SELECT 'a' || g, u, {lower}, CASE WHEN g % 2 = 0 THEN 'remote' || g % 5 || '.example' END,
         NULL
    FROM (SELECT g, CASE WHEN g % 5 = 0 THEN initcap(n) ELSE n END AS u
            FROM (SELECT g, (ARRAY['harmon', 'kaiser', 'okafor', 'lindqvist'])[g % 4 + 1]
                            || '_' || g AS n
                    FROM generate_series(1, 300) g) s) t;
"""


def test_a_lower_cased_copy_under_a_composite_key_rebuilds_its_source(
    make_db: Any, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MISSKEY.format(lower="lower(u)"))
    lower = rule_of(text, "public.user", "usernameLower")
    assert lower["strategy"] == "hash", text
    prefix = str(lower.get("prefix", ""))
    assert rule_of(text, "public.user", "username") == {
        "strategy": "template",
        "template": f"{prefix}{{hash:usernameLower}}",
    }, comment_of(text, "public.user", "username")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            'SELECT count(*) FILTER (WHERE lower(username) <> "usernameLower"),'
            " count(*) FILTER (WHERE username ~* '_[0-9]' OR \"usernameLower\" ~* '_[0-9]'),"
            ' count(DISTINCT ("usernameLower", host)), count(*) FROM "user"'
        ).fetchone()
    assert row == (0, 0, 300, 300)


def test_a_column_lower_cased_in_few_rows_keeps_its_own_hash(make_db: Any, tmp_path: Path) -> None:
    """usernameLower unrelated to username in a third of the rows: no copy, each column
    keeps a hash of its own."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            MISSKEY.format(lower="CASE WHEN g % 3 = 0 THEN 'other_' || g ELSE lower(u) END")
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert rule_of(text, "public.user", "username")["strategy"] == "hash", text
    assert rule_of(text, "public.user", "usernameLower")["strategy"] == "hash", text
