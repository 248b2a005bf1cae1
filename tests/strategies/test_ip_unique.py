"""ip with `unique: true`: injective, so an address under a unique key (Synapse's
user_ips, unique on user, token and address) keeps the ip strategy instead of `hash`,
and masks alike in a column that is not unique."""

from __future__ import annotations

import ipaddress
from typing import Any

import psycopg

from dbrefresh.strategies import ip_unique
from dbrefresh.strategies.base import ColumnContext, ColumnType
from dbrefresh.strategies.registry import get
from tests.strategies.conftest import KEY_A, Masking

# A sample of IPv4: the top and bottom of the space and a spread over all of it.
SAMPLE = (
    "(SELECT g FROM generate_series(4294967296 - 20000, 4294967295) g"
    " UNION ALL SELECT g FROM generate_series(0, 20000) g"
    " UNION ALL SELECT g * 214741 FROM generate_series(1, 20000::bigint) g)"
)


def _permuted(conn: psycopg.Connection[Any], prefix: str) -> dict[int, int]:
    rows = conn.execute(
        "SELECT g, dbrefresh.permute_ipv4((SELECT dbrefresh.ipv4_rounds(%s)), g)"
        f" FROM {SAMPLE} s(g)",
        (prefix,),
    )
    return {g: m for g, m in rows}


def test_ipv4_addresses_are_permuted_with_no_fixed_point(
    session_conn: psycopg.Connection[Any],
) -> None:
    mapped = _permuted(session_conn, "k")
    assert len(mapped) == 60001
    assert len(set(mapped.values())) == len(mapped)  # no two collide
    assert not [g for g, m in mapped.items() if g == m]  # none kept
    assert all(0 <= m < 2**32 for m in mapped.values())


def test_ipv4_permutation_is_keyed_and_deterministic(
    session_conn: psycopg.Connection[Any],
) -> None:
    """Two runs with one key map alike (another statement builds the tables again);
    another key maps (nearly) every address elsewhere."""
    first = _permuted(session_conn, "k")
    assert _permuted(session_conn, "k") == first
    other = _permuted(session_conn, "k2")
    assert sum(first[g] == other[g] for g in first) < 10


def test_round_tables_are_built_once_per_statement(masking: Masking) -> None:
    """The keyed tables (32,768 sha256) are an InitPlan, not rebuilt per value."""
    masking.conn.execute(
        "CREATE TEMP TABLE many_ips AS SELECT g AS id,"
        " CAST('0.0.0.0' AS inet) + g * 1001 AS addr FROM generate_series(1, 3000) g"
    )
    ctx = masking.context("addr", table="many_ips")
    expr = masking.expression("ip", {"unique": True}, ctx)
    masking.use_key(KEY_A)
    with masking.conn.transaction():
        masking.conn.execute("SET LOCAL track_functions = 'all'")
        masked = masking.conn.execute(f"SELECT count(DISTINCT {expr}) FROM many_ips").fetchone()
        calls = masking.conn.execute(
            "SELECT pg_stat_get_xact_function_calls(%s::regprocedure),"
            " pg_stat_get_xact_function_calls(%s::regprocedure)",
            ("dbrefresh.ipv4_rounds(text)", "dbrefresh.permute_ipv4(bytea, bigint)"),
        ).fetchone()
    assert masked == (3000,)
    assert calls == (1, 3000)


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


def test_text_non_addresses_disclose_no_round_table_entry(masking: Masking) -> None:
    """A text value that is no address shows 16 bytes of its keyed digest: under the
    round tables' own tag ('7' is digested as block 7 of the tables would be under the
    same one), so the shown bytes are never the tables'."""
    masking.conn.execute(
        "CREATE TEMP TABLE odd_ips AS SELECT g AS id, CAST(g AS text) AS ip"
        " FROM generate_series(0, 299) g"
    )
    masked = dict(masking.run("ip", {"unique": True}, "ip", table="odd_ips"))
    tables = masking.conn.execute(
        "SELECT dbrefresh.ipv4_rounds(dbrefresh.key_prefix(current_setting(%s), %s))",
        (masking.context("ip", table="odd_ips").key_setting, ip_unique.ROUNDS_TAG),
    ).fetchone()
    assert tables is not None
    blocks = bytes(tables[0])
    shown = [bytes.fromhex(masked[str(j)]) for j in range(300)]
    assert all(len(s) == 16 for s in shown)
    assert not [j for j, s in enumerate(shown) if s in blocks]
