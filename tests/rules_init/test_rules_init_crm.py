"""`rules init` on CRM and helpdesk schemas modelled on Mautic and Zammad: tracking
URLs with percent-encoded addresses, a `leads` table's handles and web addresses,
serialised documents under an IP's name, a users' devices table, client IPs inside
reverse-DNS host names."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, strategy_of

ENCODED_URLS = """
CREATE TABLE page_hits (id serial PRIMARY KEY, url text);
INSERT INTO page_hits (url)
  SELECT CASE WHEN i % 3 = 0
    THEN 'https://www.firma.example/landing?email=kd' || (i * 7919) || '%40mail.example'
    ELSE 'https://www.firma.example/angebot?utm_source=newsletter&p=' || i END
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_percent_encoded_addresses_in_urls_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ENCODED_URLS)
    assert strategy_of(text, "public.page_hits", "url") == "sql", text
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            """SELECT count(*) FILTER (WHERE url LIKE '%mail.example%'),
                      count(*) FILTER (WHERE url LIKE '%utm_source=newsletter&p=' || id)
               FROM page_hits"""
        ).fetchone()
    assert left == (0, 134)
