"""ip with `unique: true`: injective, so an address under a unique key (Synapse's
user_ips, unique on user, token and address) keeps the ip strategy instead of `hash`,
and masks alike in a column that is not unique."""

from __future__ import annotations

import ipaddress
from typing import Any

import psycopg

from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.registry import get
from tests.strategies.conftest import Masking


def test_ipv4_addresses_are_permuted_with_no_fixed_point(
    session_conn: psycopg.Connection[Any],
) -> None:
    row = session_conn.execute(
        "SELECT count(DISTINCT m), count(*) FILTER (WHERE m = g), min(m), max(m) FROM"
        " (SELECT g, dbrefresh.permute_ipv4('k', g) AS m"
        "  FROM generate_series(4294967296 - 20000, 4294967295) g) s"
    ).fetchone()
    assert row is not None
    assert row[:2] == (20000, 0)
    assert row[2] >= 0 and row[3] < 2**32


def test_unique_ip_on_text_and_inet(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE user_ips (id int, ip text, addr inet);"
        "INSERT INTO user_ips SELECT g, '10.0.' || (g / 256) || '.' || (g % 256),"
        " CAST('10.0.' || (g / 256) || '.' || (g % 256) || '/24' AS inet)"
        " FROM generate_series(0, 4999) g;"
        "INSERT INTO user_ips VALUES (5000, '', NULL), (5001, 'unknown', NULL),"
        " (5002, '10.0.0.1/24', NULL), (5003, '2001:db8::7', '2001:db8::7/64')"
    )
    texts = dict(masking.run("ip", {"unique": True}, "ip", table="user_ips"))
    inets = dict(masking.run("ip", {"unique": True}, "addr", table="user_ips"))
    addresses = [texts[f"10.0.{g // 256}.{g % 256}"] for g in range(5000)]
    assert len(set(addresses)) == 5000
    assert all(ipaddress.ip_address(a).version == 4 for a in addresses)
    assert not set(addresses) & set(texts)  # none kept
    assert texts[""] == ""
    assert len(texts["unknown"]) == 32 and len(texts["10.0.0.1/24"]) == 32
    assert texts["unknown"] != texts["10.0.0.1/24"]
    assert ipaddress.ip_address(texts["2001:db8::7"]) in ipaddress.ip_network("fd00::/8")
    # an IPv4 address masks alike in text and inet, and inet keeps its prefix length
    masked = inets[ipaddress.ip_interface("10.0.0.5/24")]
    assert str(masked) == f"{texts['10.0.0.5']}/24"


def test_unique_ip_is_injective_and_refuses_cidr() -> None:
    ip = get("ip")
    params = ip.parse_params({"unique": True})
    assert not ip.is_lossy(params) and ip.is_lossy(ip.parse_params({}))
    ctx = ColumnContext(
        table="public.t",
        column="net",
        type=ColumnType(sql="cidr", base="cidr", category="I"),
        nullable=True,
        unique=True,
    )
    assert ip.check(params, ctx)
