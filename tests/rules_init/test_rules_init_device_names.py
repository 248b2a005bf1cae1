"""Devices named after their owner: Home Assistant's "Galina's iPhone" and its host
name 'Galinas-iPhone' (event_data.shared_data service_data.host_name) were kept. They
get `{hash, keep_from: ...}` now: the owner's name hashed, the device part kept."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

OWNERS = "ARRAY['Galina', 'Matthew', 'Nicole', 'Vanessa', 'Ilka']"
SCHEMA = f"""
CREATE TABLE event_data (data_id serial PRIMARY KEY, hash bigint, shared_data text);
INSERT INTO event_data (hash, shared_data)
  SELECT i, json_build_object('domain', 'device_tracker', 'service', 'see', 'service_data',
    json_build_object('dev_id', 'tracker_' || i % 5, 'gps_accuracy', 12,
      'host_name', ({OWNERS})[i % 5 + 1] || 's-iPhone'))::text
  FROM generate_series(1, 200) i;
CREATE TABLE devices (id serial PRIMARY KEY, name varchar(100) NOT NULL,
  model varchar(40) NOT NULL);
INSERT INTO devices (name, model)
  SELECT ({OWNERS})[i % 5 + 1] || '''s ' || (ARRAY['iPhone', 'iPad', 'MacBook Pro'])[i % 3 + 1],
    'Model ' || i % 4
  FROM generate_series(1, 200) i;
CREATE TABLE branches (id serial PRIMARY KEY, branch_name varchar(100) NOT NULL);
INSERT INTO branches (branch_name)
  SELECT ({OWNERS})[i % 5 + 1] || '''s ' || (ARRAY['Pizza North', 'Diner', 'Gonzalezhaven'])
    [i % 3 + 1]
  FROM generate_series(1, 200) i;
CREATE TABLE rooms (id serial PRIMARY KEY, name varchar(100) NOT NULL);
INSERT INTO rooms (name)
  SELECT (ARRAY['Kitchen-Light', 'Office-Lamp', 'Hall-Sensor'])[i % 3 + 1]
  FROM generate_series(1, 200) i;
ANALYZE;
"""


def test_devices_named_after_their_owner_keep_the_device(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.event_data", "shared_data")
    assert rule["paths"]["service_data.host_name"] == {"strategy": "hash", "keep_from": "-"}
    assert rule_of(text, "public.devices", "name") == {"strategy": "hash", "keep_from": "'"}
    assert rule_of(text, "public.rooms", "name") == "keep"
    # "Wendy's Pizza North": a business named after someone, no device: kept
    assert rule_of(text, "public.branches", "branch_name") == "keep", text
    with psycopg.connect(dsn) as conn:
        hosts = conn.execute(
            "SELECT shared_data::jsonb->'service_data'->>'host_name' FROM event_data"
        ).fetchall()
        names = conn.execute("SELECT name FROM devices").fetchall()
    owners = ("Galina", "Matthew", "Nicole", "Vanessa", "Ilka")
    for (host,) in hosts:
        assert host.endswith("-iPhone") and not host.startswith(owners), host
    for (name,) in names:
        assert "'s " in name and not name.startswith(owners), name


SESSIONS = """
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) SELECT (ARRAY['Robert', 'Isabelle', 'James', 'Nicole', 'Carlos',
  'さゆり'])[1 + i % 6] || ' Schmidt' FROM generate_series(1, 60) i;
CREATE TABLE sessions (id serial PRIMARY KEY, "userId" int NOT NULL REFERENCES users(id),
  "deviceType" varchar NOT NULL DEFAULT '', "deviceOS" varchar NOT NULL DEFAULT '');
INSERT INTO sessions ("userId", "deviceType", "deviceOS")
  SELECT 1 + i % 60, CASE WHEN i % 5 = 0
      THEN split_part(u.name, ' ', 1) || '''s ' || (ARRAY['iPhone', 'iPad'])[1 + i % 2]
      ELSE (ARRAY['Chrome', 'Firefox', 'Mobile Safari', 'Immich'])[1 + i % 4] END, 'iOS'
  FROM generate_series(1, 500) i JOIN users u ON u.id = 1 + i % 60;
-- names without the apostrophe as well: those values are hashed whole
CREATE TABLE api_keys (id serial PRIMARY KEY, name varchar NOT NULL);
INSERT INTO api_keys (name) SELECT CASE
    WHEN i % 5 = 0 THEN (ARRAY['Robert', 'James', 'Nicole', 'Carlos'])[1 + i % 4] || '''s laptop'
    WHEN i % 5 = 1 THEN (ARRAY['Robert', 'James', 'Nicole', 'Carlos'])[1 + i % 4] || ' backup'
    ELSE 'Api Key' END
  FROM generate_series(1, 300) i;
CREATE TABLE products (id serial PRIMARY KEY, title varchar NOT NULL);
INSERT INTO products (title) SELECT (ARRAY['Women''s Watch', 'Kid''s Tablet', 'Men''s Watch',
  'iPhone 15', 'Galaxy S24', 'Pixel 8'])[1 + i % 6] FROM generate_series(1, 300) i;
ANALYZE;
"""


def test_a_few_devices_named_after_owners_are_hashed_the_rest_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SESSIONS)
    rule = rule_of(text, "public.sessions", "deviceType")
    assert rule == {"strategy": "hash", "keep_from": "'", "keep_unsplit": True}, text
    assert rule_of(text, "public.products", "title") == "keep"  # "Women's Watch"
    assert rule_of(text, "public.api_keys", "name") == {"strategy": "hash", "keep_from": "'"}
    with psycopg.connect(dsn) as conn:
        kinds = conn.execute('SELECT "deviceType", count(*) FROM sessions GROUP BY 1').fetchall()
    owners = ("Robert", "Isabelle", "James", "Nicole", "Carlos", "さゆり")
    for kind, _ in kinds:
        assert not kind.startswith(owners), kind
        assert kind in {"Chrome", "Firefox", "Mobile Safari", "Immich"} or kind.endswith(
            ("'s iPhone", "'s iPad")
        ), kind
    assert sum(n for kind, n in kinds if kind == "Chrome") == 100
