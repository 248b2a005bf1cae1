"""URLs with an email address in a query parameter: `links(id, url UNIQUE)` with blog
URLs and click-tracking URLs ending `?email=<address>` got `{hash, unique}`, and every
URL became 32 hex characters. Only the parameter's value is masked now; the other URLs
are kept, and verify samples only the rows the rule changes."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, strategy_of

LINKS = """
CREATE TABLE links (id serial PRIMARY KEY, url text UNIQUE NOT NULL);
INSERT INTO links (url)
  SELECT 'https://blog.example.com/posts/' || i || '-some-title' FROM generate_series(1, 150) i;
INSERT INTO links (url)
  SELECT 'https://shop.example.com/track/click?campaign=' || (i % 3) || '&email=person' || i
    || '@mail.example.net&utm=x' FROM generate_series(1, 50) i;
ANALYZE;
"""


def test_only_the_address_in_a_urls_query_is_masked(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, LINKS)
    assert strategy_of(text, "public.links", "url") == "sql", text
    assert "50 of 200 sampled values are URLs" in comment_of(text, "public.links", "url")
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            """SELECT count(*) FILTER (WHERE url = 'https://blog.example.com/posts/' || id
                 || '-some-title'),
               count(*) FILTER (WHERE url = 'https://shop.example.com/track/click?campaign='
                 || ((id - 150) % 3) || '&email=u' || id || '%40example.invalid&utm=x'),
               count(*) FILTER (WHERE url LIKE '%person%' OR url LIKE '%mail.example.net%'),
               count(DISTINCT url)
            FROM links"""
        ).fetchone()
    assert counts == (150, 50, 0, 200)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
