"""Accounts inside URLs (a Canvas LMS model): submissions.url, the pages students hand
in ('https://loricampbell301.github.io/portfolio', 'https://sites.google.com/view/jose-
young-portfolio') and Google Docs share links, was kept with no note; verify flagged
the names."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import url_accounts

from .helpers import comment_of, generate_then_mask, rule_of

FIRST = "ARRAY['lori', 'jose', 'maria', 'keith', 'anna', 'oliver', 'sophie', 'vincent']"
LAST = "ARRAY['campbell', 'young', 'robinson', 'thompson', 'schmidt', 'miller']"
SCHEMA = f"""
CREATE TABLE submissions (id bigserial PRIMARY KEY, user_id bigint NOT NULL,
  url varchar(255), submission_type varchar(255));
INSERT INTO submissions (user_id, url, submission_type)
  SELECT g, CASE g % 5
    WHEN 0 THEN 'https://' || f || l || g || '.github.io/portfolio'
    WHEN 1 THEN 'https://sites.google.com/view/' || f || '-' || l || '-portfolio'
    WHEN 2 THEN 'https://docs.google.com/document/d/' || translate(rtrim(encode(decode(
      md5('d' || g) || md5('e' || g), 'hex'), 'base64'), '='), '+/', '-_') || '/edit?usp=sharing'
    WHEN 3 THEN 'https://youtu.be/' || translate(substr(md5(g::text), 1, 11), '0123', 'wxyz')
    ELSE 'https://en.wikipedia.org/wiki/Photosynthesis' END, 'online_url'
  FROM generate_series(1, 300) g,
  LATERAL (SELECT ({FIRST})[1 + g % 8] AS f, ({LAST})[1 + g % 6] AS l) n;
CREATE TABLE packages (id serial PRIMARY KEY, name text, repository_url text);
INSERT INTO packages (name, repository_url) SELECT r || g, 'https://github.com/' || o || '/' || r
  FROM generate_series(1, 10) g, (VALUES ('rails', 'rails'), ('django', 'django'),
    ('pallets', 'flask'), ('facebook', 'react'), ('kubernetes', 'kubernetes'),
    ('postgres', 'postgres'), ('torvalds', 'linux')) v(o, r);
CREATE TABLE bookmarks (id serial PRIMARY KEY, target text);
INSERT INTO bookmarks (target) SELECT 'https://example.edu/people/' || ({FIRST})[1 + g % 8]
  || '-' || ({LAST})[1 + g % 6] FROM generate_series(1, 100) g;
ANALYZE;
"""


def test_accounts_in_urls() -> None:
    rows, people = url_accounts.named_paths(["https://sites.google.com/view/jose-young-portfolio"])
    assert (rows, people) == (1, 1)
    assert url_accounts._account("https://loricampbell301.github.io/portfolio") == (
        "loricampbell301"
    )
    assert url_accounts._account("https://www.github.com/torvalds/linux") == "torvalds"
    assert url_accounts._account("https://en.wikipedia.org/wiki/Lori") is None


def test_accounts_and_documents_in_urls_are_replaced(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.submissions", "url")["strategy"] == "sql", text
    assert rule_of(text, "public.packages", "repository_url") == "keep", text
    assert rule_of(text, "public.bookmarks", "target") == "keep", text
    assert "REVIEW: 100 of 100 sampled values name people in their path" in comment_of(
        text, "public.bookmarks", "target"
    )
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE url = 'https://u' || id || '.github.io/portfolio'),
                 count(*) FILTER (WHERE url = 'https://sites.google.com/view/u' || id),
                 count(*) FILTER (WHERE url = 'https://docs.google.com/document/d/doc' || id
                   || '/edit?usp=sharing'),
                 count(*) FILTER (WHERE url ~ '^https://youtu.be/[4-9a-fw-z]{11}$'
                   OR url = 'https://en.wikipedia.org/wiki/Photosynthesis')
               FROM submissions"""
        ).fetchone()
        kept = conn.execute(
            "SELECT count(*) FROM packages WHERE repository_url ~ '^https://github.com/[a-z]+/'"
        ).fetchone()
    assert row == (60, 60, 60, 120)
    assert kept == (70,)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
