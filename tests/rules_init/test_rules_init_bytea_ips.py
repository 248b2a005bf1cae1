"""Addresses packed in bytea: Matomo's log_visit.location_ip ('\\xc63f31c6' is
198.63.49.198) was kept, "name suggests an IP address, but it is bytea". Other bytea
columns of the same tables (visitor ids of 8 bytes, digests of 16, images) stay kept, and
so does a visits table's CRC32 of its url (4 bytes, under a name that says no address)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, rule_of

MATOMO = """
CREATE TABLE matomo_log_visit (idvisit bigserial PRIMARY KEY, idvisitor bytea NOT NULL,
  config_id bytea NOT NULL, location_ip bytea NOT NULL, visit_total_time int NOT NULL);
INSERT INTO matomo_log_visit (idvisitor, config_id, location_ip, visit_total_time)
SELECT substr(sha256(('v' || i)::bytea), 1, 8), substr(sha256(('c' || i)::bytea), 1, 8),
  CASE WHEN i % 4 = 0 THEN substr(sha256(('6:' || i)::bytea), 1, 16)
       ELSE substr(sha256(('4:' || i)::bytea), 1, 4) END, i
  FROM generate_series(1, 400) i;
CREATE TABLE matomo_log_conversion (idvisit bigint NOT NULL REFERENCES matomo_log_visit,
  idgoal int NOT NULL, location_ip bytea, PRIMARY KEY (idvisit, idgoal));
INSERT INTO matomo_log_conversion SELECT idvisit, 1, location_ip FROM matomo_log_visit
  WHERE idvisit % 3 = 0;
-- a sessions table whose address has a peer's name
CREATE TABLE sessions (id int PRIMARY KEY, peer bytea NOT NULL);
INSERT INTO sessions SELECT i, substr(sha256(('p' || i)::bytea), 1, 4)
  FROM generate_series(1, 200) i;
-- not personal: MD5 digests (16 bytes) of files, thumbnails
CREATE TABLE files (id int PRIMARY KEY, checksum bytea NOT NULL, thumbnail bytea);
INSERT INTO files SELECT i, decode(md5('f' || i), 'hex'),
  '\\x89504e470d0a1a0a'::bytea || sha256(('t' || i)::bytea) FROM generate_series(1, 200) i;
-- not personal: a 4-byte CRC32 of the visited url, in a table of visits
CREATE TABLE page_visits (id int PRIMARY KEY, url text NOT NULL, url_crc bytea NOT NULL);
INSERT INTO page_visits SELECT i, 'https://shop.example.com/p/' || i,
  substr(sha256(('https://shop.example.com/p/' || i)::bytea), 1, 4)
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_packed_addresses_get_ip_and_other_bytes_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, MATOMO)
    assert rule_of(text, "public.matomo_log_visit", "location_ip") == "ip"
    assert rule_of(text, "public.matomo_log_conversion", "location_ip") == "ip"
    assert rule_of(text, "public.sessions", "peer") == "ip"
    assert "packed as 4 or 16 bytes" in comment_of(text, "public.matomo_log_visit", "location_ip")
    for table, column in [
        ("public.matomo_log_visit", "idvisitor"),
        ("public.matomo_log_visit", "config_id"),
        ("public.files", "checksum"),
        ("public.files", "thumbnail"),
        ("public.page_visits", "url_crc"),
    ]:
        assert rule_of(text, table, column) == "keep", (table, column)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE v.location_ip = CASE WHEN v.idvisit % 4 = 0"
            "   THEN substr(sha256(('6:' || v.idvisit)::bytea), 1, 16)"
            "   ELSE substr(sha256(('4:' || v.idvisit)::bytea), 1, 4) END),"
            " count(*) FILTER (WHERE length(v.location_ip) <> CASE WHEN v.idvisit % 4 = 0"
            "   THEN 16 ELSE 4 END),"
            " count(*) FILTER (WHERE c.location_ip IS DISTINCT FROM v.location_ip)"
            " FROM matomo_log_visit v JOIN matomo_log_conversion c USING (idvisit)"
        ).fetchone()
    # none kept, every length kept, the visit's and its conversion's address alike
    assert row == (0, 0, 0)
