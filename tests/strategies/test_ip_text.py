"""ip on text columns: what the regexes call an address casts to inet on a real server
(else masking would fail the whole table), and what is no address is still masked."""

from __future__ import annotations

import ipaddress
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrefresh.strategies.ip import IPV4_TEXT, IPV6_TEXT
from tests.strategies.conftest import Masking

JUNK = st.text(alphabet="0123456789abcdefABCDEF:./ %", max_size=45)
V4 = st.builds(
    lambda n, p: f"{ipaddress.IPv4Address(n)}" + (f"/{p}" if p is not None else ""),
    st.integers(0, 2**32 - 1),
    st.none() | st.integers(0, 32),
)
V6 = st.builds(
    lambda n, full, p: (
        (ipaddress.IPv6Address(n).exploded if full else ipaddress.IPv6Address(n).compressed)
        + (f"/{p}" if p is not None else "")
    ),
    st.integers(0, 2**128 - 1) | st.integers(0, 2**20),
    st.booleans(),
    st.none() | st.integers(0, 128),
)


def _matched(conn: psycopg.Connection[Any], values: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT v FROM unnest(%s::text[]) AS v WHERE v ~ %s OR v ~ %s",
        (values, IPV4_TEXT, IPV6_TEXT),
    ).fetchall()
    return [r[0] for r in rows]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.lists(JUNK, max_size=40), v4=st.lists(V4, max_size=20), v6=st.lists(V6, max_size=20))
def test_every_match_casts_to_inet_and_addresses_match(
    session_conn: psycopg.Connection[Any], junk: list[str], v4: list[str], v6: list[str]
) -> None:
    matched = _matched(session_conn, junk + v4 + v6)
    with session_conn.transaction():
        for value in matched:  # one failing cast is named
            with session_conn.transaction():
                session_conn.execute("SELECT CAST(%s::text AS inet)", (value,))
    assert set(v4) <= set(matched)  # IPv4 as Python writes it: always
    # IPv6: full forms, and compressed ones of at most 7 colons
    expected = {v for v in v6 if v.split("/")[0].count(":") <= 7}
    assert expected <= set(matched)


def test_what_is_no_address_is_masked_and_blank_is_kept(masking: Masking) -> None:
    masking.conn.execute(
        "CREATE TEMP TABLE hits (id int, ip text);"
        "INSERT INTO hits VALUES (1, '10.1.2.3'), (2, ''), (3, 'unknown'),"
        " (4, '203.0.113.9, 10.0.0.1'), (5, '2001:db8::7'), (6, '999.1.1.1'), (7, '  ')"
    )
    rows = dict(masking.run("ip", {}, "ip", table="hits"))
    assert rows[""] == "" and rows["  "] == "  "
    for original in ("10.1.2.3", "unknown", "203.0.113.9, 10.0.0.1", "999.1.1.1"):
        masked = ipaddress.ip_address(rows[original])
        assert masked in ipaddress.ip_network("10.0.0.0/8") and str(masked) != original
    assert ipaddress.ip_address(rows["2001:db8::7"]) in ipaddress.ip_network("fd00::/8")


ORIGINALS = ("101.24.5.0/24", "4fe4::/56", "192.168.1.5/24", "1.2.3.4/32", "1.2.3.4")


def test_a_network_masks_to_a_network_of_its_prefix_length(masking: Masking) -> None:
    """Tryton's res_user_login_attempt.ip_network ('101.24.5.0/24' in a varchar) got a
    host with the prefix ('10.182.119.183/24'), which `::cidr` and Python's strict
    ip_network refuse; a host written with its netmask stays a host."""
    masking.conn.execute(
        "CREATE TEMP TABLE attempts (id int, net text, iface inet);"
        "INSERT INTO attempts VALUES (1, '101.24.5.0/24', '101.24.5.0/24'),"
        " (2, '4fe4::/56', '4fe4::/56'), (3, '192.168.1.5/24', '192.168.1.5/24'),"
        " (4, '1.2.3.4/32', '1.2.3.4/32'), (5, '1.2.3.4', '1.2.3.4'), (6, '10.0.0.0/8', NULL)"
    )
    for column in ("net", "iface"):
        masked_rows = [str(b) for _, b in masking.run("ip", {}, column, table="attempts")]
        rows = dict(zip(ORIGINALS, masked_rows, strict=False))
        for original in ("101.24.5.0/24", "4fe4::/56"):
            masked = ipaddress.ip_network(rows[original], strict=True)  # a network
            assert masked.prefixlen == ipaddress.ip_network(original).prefixlen
            assert str(masked) != original
        cast = masking.conn.execute(
            "SELECT CAST(%s AS cidr)::text", (rows["101.24.5.0/24"],)
        ).fetchone()
        assert cast is not None and cast[0] == rows["101.24.5.0/24"]
        host = ipaddress.ip_interface(rows["192.168.1.5/24"])
        assert host.network.prefixlen == 24 and host.ip != host.network.network_address
        one = ipaddress.ip_interface(rows["1.2.3.4/32"])
        assert one.network.prefixlen == 32 and one.ip in ipaddress.ip_network("10.0.0.0/8")
