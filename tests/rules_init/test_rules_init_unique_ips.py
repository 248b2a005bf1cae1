"""An IP address under a multi-column unique key (Synapse's user_ips) got `hash`, as no
ip strategy was injective, and the same address in devices.ip got `ip`: masked two
ways, in two formats. Both now get `{strategy: ip, unique: true}`."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = (
    "CREATE TABLE devices (id int PRIMARY KEY, ip text);"
    "CREATE TABLE user_ips (user_id text NOT NULL, access_token text NOT NULL,"
    " ip text NOT NULL, UNIQUE (user_id, access_token, ip));"
    "INSERT INTO devices SELECT g, '192.168.' || (g / 250) || '.' || (g % 250)"
    " FROM generate_series(1, 300) g;"
    "INSERT INTO user_ips SELECT '@u' || (g % 10) || ':example.org', 'tok' || (g % 7),"
    " '192.168.' || (g / 250) || '.' || (g % 250) FROM generate_series(1, 300) g"
)


def test_an_address_masks_alike_under_a_unique_key_and_beside_it(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.user_ips", "ip") == {"strategy": "ip", "unique": True}
    assert rule_of(text, "public.devices", "ip") == {"strategy": "ip", "unique": True}
    with psycopg.connect(dsn) as conn:
        devices = {r[0] for r in conn.execute("SELECT ip FROM devices")}
        user_ips = {r[0] for r in conn.execute("SELECT ip FROM user_ips")}
    assert devices == user_ips and len(devices) == 300
    assert all(ipaddress.ip_address(a).version == 4 for a in devices)
    assert not devices & {f"192.168.{g // 250}.{g % 250}" for g in range(1, 301)}
