"""A tracked device's identifiers: Traccar's tc_devices.uniqueid (the phone's IMEI,
'351601435786892', 15 digits passing Luhn) and the Wi-Fi BSSIDs OwnTracks and Traccar
keep ('3a:8f:b8:3c:53:4e', in a column and in JSON) were kept. IMEIs become other
unique valid IMEIs, MAC addresses keyed MAC addresses of the same shape; a driver's
uniqueid (no IMEI) is judged as before."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from dbrefresh.rules.pii_values import luhn_ok

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of


def _imei(i: int) -> str:
    body = f"35160143{i:06d}"
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


IMEIS = ", ".join(f"('{_imei(i * 7919)}', 'dev{i}')" for i in range(1, 41))
SCHEMA = f"""
CREATE TABLE tc_devices (id serial PRIMARY KEY, uniqueid varchar(128) NOT NULL UNIQUE,
  name varchar(128) NOT NULL);
INSERT INTO tc_devices (uniqueid, name) VALUES {IMEIS};
CREATE TABLE tc_drivers (id serial PRIMARY KEY, uniqueid varchar(128) NOT NULL UNIQUE);
INSERT INTO tc_drivers (uniqueid) SELECT 'RFID-' || i FROM generate_series(1, 20) i;
CREATE TABLE locations (id serial PRIMARY KEY, bssid text, raw jsonb NOT NULL);
INSERT INTO locations (bssid, raw) SELECT m, jsonb_build_object('BSSID', upper(m), 'tid', 'jo',
  'wifiAccessPoints', jsonb_build_array(jsonb_build_object('macAddress', m,
  'signalStrength', -70))) FROM (SELECT i, lpad(to_hex(i * 37), 2, '0') || ':8f:b8:3c:'
  || lpad(to_hex(i * 11 % 256), 2, '0') || ':4e' AS m FROM generate_series(1, 60) i) s;
ANALYZE;
"""
_LOWER_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")
_UPPER_MAC = re.compile(r"[0-9A-F]{2}(?::[0-9A-F]{2}){5}")


def test_imeis_and_mac_addresses_are_masked_in_shape(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="rinit")) as conn:
        conn.execute(SCHEMA)
        before = dict(conn.execute("SELECT id, uniqueid FROM tc_devices"))
        macs = dict(conn.execute("SELECT id, bssid FROM locations"))
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    assert rule_of(text, "public.tc_devices", "uniqueid") == {
        "strategy": "digits",
        "luhn": True,
        "unique": True,
    }, text
    assert strategy_of(text, "public.tc_drivers", "uniqueid") == "keep", text
    assert strategy_of(text, "public.locations", "bssid") == "mac", text
    paths = rule_of(text, "public.locations", "raw")["paths"]
    assert paths["BSSID"] == "mac" and paths["wifiAccessPoints.*.macAddress"] == "mac", paths
    with psycopg.connect(dsn) as conn:
        after = dict(conn.execute("SELECT id, uniqueid FROM tc_devices"))
        rows = conn.execute(
            "SELECT id, bssid, raw ->> 'BSSID', raw #>> '{wifiAccessPoints,0,macAddress}'"
            " FROM locations"
        ).fetchall()
    assert len(set(after.values())) == len(after)
    for id_, imei in after.items():
        assert imei != before[id_] and len(imei) == 15 and imei.isdigit() and luhn_ok(imei)
    for id_, bssid, upper, nested in rows:
        assert bssid != macs[id_] and _LOWER_MAC.fullmatch(bssid), bssid
        assert _UPPER_MAC.fullmatch(upper) and _LOWER_MAC.fullmatch(nested), (upper, nested)
        assert upper.lower() == bssid == nested  # equal addresses mask alike


def _counted(i: int) -> str:
    body = f"{20240000000000 + i:014d}"  # an asset number with a Luhn check digit
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


COUNTED = ", ".join(f"('{_counted(i)}')" for i in range(1, 41))
# sensors' and assets' numbers of 15 digits are no IMEIs; a column named imei is one
ASSETS = f"""
CREATE TABLE sensors (id serial PRIMARY KEY, device_id text UNIQUE, kind text);
INSERT INTO sensors (device_id, kind) SELECT lpad((100000000000000 + i * 7)::text, 15, '0'),
  'temperature' FROM generate_series(0, 199) i;
CREATE TABLE fleet_devices (id serial PRIMARY KEY, imei varchar(15) UNIQUE,
  device_id varchar(15), model text);
INSERT INTO fleet_devices (imei, device_id, model) SELECT (353000000000000
  + (i::bigint * 7919 * 104729) % 999999999999)::text, (202400000000000 + i)::text,
  'Galaxy XCover 6 Pro' FROM generate_series(1, 120) i;
CREATE TABLE assets (id serial PRIMARY KEY, deviceid text);
INSERT INTO assets (deviceid) VALUES {COUNTED};
ANALYZE;
"""


def test_counted_numbers_are_no_imeis(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, ASSETS)
    assert strategy_of(text, "public.sensors", "device_id") == "keep", text
    assert strategy_of(text, "public.fleet_devices", "device_id") == "keep", text
    # counted on with a check digit: no IMEI (the card detector judges it as before)
    assert "IMEI" not in comment_of(text, "public.assets", "deviceid"), text
    assert rule_of(text, "public.fleet_devices", "imei") == {"strategy": "digits", "unique": True}
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM sensors WHERE device_id::numeric = 100000000000000 + (id - 1) * 7"
        ).fetchone()
    assert kept == (200,)
