"""ip with `unique: true`: injective, for addresses under a unique key.

Synapse's user_ips is unique on (user_id, access_token, ip): a plain `ip` maps the
2^32 IPv4 addresses into 10.0.0.0/8 and may map two addresses of one token to one, so
rules init proposed `hash`, and an address in devices.ip no longer masked like the same
address in user_ips.ip. Here IPv4 addresses are permuted (dbrefresh.permute_ipv4, a
keyed permutation with no fixed point: any IPv4 address may come out, as 2^32 do not
fit in the private network), IPv6 addresses are drawn in network_v6 from 62 bits of the
keyed digest (distinct in practice, as `email` with `unique: true` is), and inet keeps
its prefix length. In a text column, a value that is no address in its canonical form
(host(inet) of it: 'unknown', '10.0.0.1/24', 'FE80::1') gets 32 hex characters of its
keyed digest, so two spellings of one address do not collide; blank values are kept.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext

TAG = "ip_unique"
# The round tables' own tag: under TAG, a text value such as '3.1234' is digested and
# shown (hexed), and would disclose table entries if the tables shared its prefix.
ROUNDS_TAG = "ip_unique_rounds"
HEX_BYTES = 16


def address(ctx: ColumnContext, orig: exp.Expression, other: exp.Expression) -> exp.Expression:
    """The masked inet of `orig` (an inet): IPv4 permuted, IPv6 as `other` draws it.

    The keyed round tables are an uncorrelated scalar subquery: built once per
    statement (an InitPlan, and only if an IPv4 address comes), not once per value."""
    rounds = sqlbuild.fill(
        "(SELECT dbrefresh.ipv4_rounds(dbrefresh.key_prefix(:key, :tag)))",
        key=sqlbuild.key(ctx),
        tag=ROUNDS_TAG,
    )
    return sqlbuild.fill(
        "CASE WHEN family(:o) = 4 THEN CAST('0.0.0.0' AS INET)"
        " + dbrefresh.permute_ipv4(:t, CAST(:o2 AS INET) - CAST('0.0.0.0' AS INET))"
        " ELSE :other END",
        o=orig,
        t=rounds,
        o2=orig.copy(),
        other=other,
    )


def text(ctx: ColumnContext, masked: exp.Expression, r4: str, r6: str) -> exp.Expression:
    """A text column's value: `masked` (host of the masked inet) for an address written
    as host() writes it, 32 hex characters of the keyed digest for anything else."""
    canonical = sqlbuild.fill(
        "CASE WHEN :v ~ :r4 OR :v ~ :r6 THEN host(CAST(:v AS INET)) = :v ELSE FALSE END",
        v=ctx.ref,
        r4=r4,
        r6=r6,
    )
    hexed = sqlbuild.fill(
        "encode(substr(:h, 1, :n), 'hex')", h=sqlbuild.digest(ctx, TAG), n=HEX_BYTES
    )
    return sqlbuild.fill(
        "CASE WHEN btrim(:v) = '' THEN :v WHEN :c THEN :m ELSE :x END",
        v=ctx.ref,
        c=canonical,
        m=masked,
        x=hexed,
    )
