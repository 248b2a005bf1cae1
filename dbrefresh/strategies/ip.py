"""ip: addresses replaced by keyed ones inside private networks, family and mask kept.

IPv4 values go to network_v4 (default 10.0.0.0/8), IPv6 ones to network_v6 (default
fd00::/8); inet keeps its prefix length, cidr its network form, text gets the host (and
the prefix length it was written with, if any). One address masks alike in all three:
the keyed digest reads it as inet prints it ('1.2.3.4', '10.1.0.0/16'), not as its cast
to text does ('1.2.3.4/32').
A text column may hold what is no address ('', 'unknown', a list from X-Forwarded-For):
blank values are kept, the others get a keyed IPv4 host, where a cast to inet would
have failed the whole table. With `unique: true` the strategy is injective
(ip_unique.py): IPv4 addresses are permuted over all of IPv4, not drawn in network_v4.
A bytea column holds an address packed as 4 or 16 bytes (Matomo's log_visit.location_ip,
ip_bytes.py): it is masked as the inet it packs, so alike with the same address in an
inet column, and packed back to as many bytes; a value of another length is refused.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import ip_bytes, ip_unique, sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

IP_TEXT = 39  # longest IPv6 text form
# Text that inet surely accepts (a test checks each match casts on a real server). Some
# valid IPv6 spellings are not matched (an embedded IPv4, '::' opening 7 groups): those
# are masked as non-addresses, never refused.
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEX = "[0-9A-Fa-f]{1,4}"
IPV4_TEXT = f"^{_OCTET}([.]{_OCTET}){{3}}(/(3[0-2]|[12]?[0-9]))?$"
_V6_PREFIX = "(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?$"
IPV6_TEXT = (
    f"^(({_HEX}:){{7}}{_HEX}|(?!(.*:){{8}})(({_HEX}:){{0,6}}{_HEX})?::(({_HEX}:){{0,6}}{_HEX})?)"
    + _V6_PREFIX
)


class IpParams(StrategyParams):
    network_v4: str = Field(default="10.0.0.0/8")
    """IPv4 network the masked addresses are drawn from."""
    network_v6: str = Field(default="fd00::/8")
    """IPv6 network the masked addresses are drawn from."""
    unique: bool = False
    """Injective (unique keys): IPv4 addresses permuted over all of IPv4 (network_v4 is
    too small to hold them one to one), IPv6 drawn with 62 digest bits; inet, text, bytea."""

    @field_validator("network_v4", "network_v6")
    @classmethod
    def _network(cls, value: str) -> str:
        net = ipaddress.ip_network(value, strict=True)
        if net.num_addresses < 256:
            raise ValueError("network is too small: need at least 256 addresses")
        return str(net)


@register
class Ip(ScalarStrategy[IpParams]):
    keeps_blank = False  # keeps blank (btrim) values itself
    name = "ip"
    summary = "Keyed addresses inside private networks; family and prefix length kept."
    params_model = IpParams

    def is_lossy(self, params: IpParams) -> bool:
        return not params.unique

    def fits(self, params: IpParams, ctx: ColumnContext) -> list[str]:
        if params.unique and ctx.type.base == "cidr":
            return ["ip with unique: true masks inet and text; a network (cidr) may not move"]
        if ctx.type.base in {"inet", "cidr"}:
            return []
        if ctx.type.is_text:
            return sqlbuild.text_limit(ctx, IP_TEXT, "ip")
        if ctx.type.base == "bytea":
            return ip_bytes.fits(ctx)
        return [f"ip produces inet, cidr, text or bytea; {ctx.column} is {ctx.type.sql}"]

    def masked(self, params: IpParams, ctx: ColumnContext) -> exp.Expression:
        if ctx.type.base == "bytea":  # the packed address as an inet, read once
            each = sqlbuild.let(
                "ip",
                ip_bytes.unpacked(ctx.ref),
                lambda o: ip_bytes.packed(
                    self._address(params, ctx, o, ip_bytes.digest(ctx, self.name, o.copy()))
                ),
            )
            return ip_bytes.kept_empty(ctx, each)
        v4 = ipaddress.ip_network(params.network_v4)
        size4 = min(v4.num_addresses, 2**31)
        is_text = ctx.type.base not in {"inet", "cidr"}
        orig = sqlbuild.fill("CAST(:v AS INET)", v=ctx.ref) if is_text else ctx.ref
        # The digest is of the address as inet prints it (abbrev(): '1.2.3.4' for a host,
        # '10.1.0.0/16' for a network), so one address masks alike in inet (whose text
        # is '1.2.3.4/32'), cidr, text and packed bytea columns.
        new = self._address(params, ctx, orig, _digest(ctx, self.name, orig, is_text))
        if is_text and params.unique:
            masked = ip_unique.text(ctx, sqlbuild.fill("host(:n)", n=new), IPV4_TEXT, IPV6_TEXT)
            return sqlbuild.cast(masked, ctx.type.sql)
        if is_text:
            # Not an address: a keyed IPv4 host (the digest is read in this branch only).
            other = sqlbuild.fill(
                "host(CAST(:n4 AS INET) + :x % :s4)",
                n4=str(v4.network_address),
                x=sqlbuild.bits(sqlbuild.digest(ctx, self.name)),
                s4=size4,
            )
            # An address written with a prefix length ('10.1.0.0/16', '1.2.3.4/32') keeps
            # it, as inet does; one written without gets the host alone. A network
            # ('101.24.5.0/24', host bits zero) stays one (_sized).
            text = sqlbuild.fill(
                "CASE WHEN btrim(:v) = '' THEN :v WHEN :v ~ :r4 OR :v ~ :r6 THEN"
                " CASE WHEN strpos(CAST(:v AS TEXT), '/') = 0 THEN host(:n)"
                " ELSE CAST(:sized AS TEXT) END"
                " ELSE :other END",
                v=ctx.ref,
                r4=IPV4_TEXT,
                r6=IPV6_TEXT,
                n=new,
                sized=_sized(new.copy(), orig.copy()),
                other=other,
            )
            return sqlbuild.cast(text, ctx.type.sql)
        sized = _sized(new, orig)
        if ctx.type.base == "cidr":
            v6 = ipaddress.ip_network(params.network_v6)
            sized = _other_network(sqlbuild.fill("network(:s)", s=sized), orig, v4, v6)
        return sqlbuild.cast(sized, ctx.type.sql)

    def _address(
        self, params: IpParams, ctx: ColumnContext, orig: exp.Expression, digest: exp.Expression
    ) -> exp.Expression:
        """The masked host (an inet at full mask length) of the inet `orig`, drawn by
        `digest` (read once)."""
        v4 = ipaddress.ip_network(params.network_v4)
        v6 = ipaddress.ip_network(params.network_v6)
        # One read of the digest: the network and its size are chosen by the family,
        # the offset is x modulo that size.
        addr = sqlbuild.fill(
            "(CASE WHEN family(:o) = 4 THEN CAST(:n4 AS INET) ELSE CAST(:n6 AS INET) END"
            " + :x % CASE WHEN family(:o) = 4 THEN :s4 ELSE :s6 END)",
            o=orig,
            x=sqlbuild.bits(digest),
            n4=str(v4.network_address),
            s4=min(v4.num_addresses, 2**31),
            n6=str(v6.network_address),
            s6=min(v6.num_addresses, 2**62),
        )
        # The drawn host may equal the original's (both compared at full mask length):
        # take the next address then (NULLIF reads the drawn address once).
        new = sqlbuild.fill(
            "COALESCE(NULLIF(:a, set_masklen(CAST(:o AS INET), -1)),"
            " set_masklen(CAST(:o AS INET), -1) + 1)",
            a=addr,
            o=orig,
        )
        if params.unique:
            new = ip_unique.address(ctx, orig.copy(), new)
        return new

    def refusal(self, params: IpParams, ctx: ColumnContext) -> exp.Expression | None:
        """On bytea, a value that packs no address (not 4 or 16 bytes), named."""
        return ip_bytes.refusal(ctx) if ctx.type.base == "bytea" else None

    def leak_sample_when(self, params: IpParams, ctx: ColumnContext) -> exp.Expression | None:
        """A network as large as the pool (10.0.0.0/8 in 10.0.0.0/8) has nowhere to move
        inside it (it masks to the pool's own network) and names no one: not sampled;
        in inet and text, no network up to SHORT_V4 / SHORT_V6 either (0.0.0.0/0 masks
        to itself, a /9 one time in two). An empty bytea packs no address: kept, not
        sampled."""
        if ctx.type.base == "bytea":
            return ip_bytes.changed(ctx)
        if ctx.type.is_array:
            return None
        if ctx.type.base != "cidr":
            return _no_short_network(ctx)
        return sqlbuild.fill(
            "masklen(:v) > CASE WHEN family(:v) = 4 THEN :p4 ELSE :p6 END",
            v=ctx.ref,
            p4=ipaddress.ip_network(params.network_v4).prefixlen,
            p6=ipaddress.ip_network(params.network_v6).prefixlen,
        )


# Networks this short (65,536 addresses and more in IPv4, a /64 or shorter in IPv6:
# firewall rules' 0.0.0.0/0, 10.0.0.0/8, a /24 of a site) name no one and have few
# places to go in the pool: 10.0.0.0/8 masks to itself, a /9 to itself one time in two
SHORT_V4, SHORT_V6 = 24, 64


def _no_short_network(ctx: ColumnContext) -> exp.Expression:
    """Whether an inet or text value is sampled for the leak check: not a network (host
    bits zero) of a prefix up to SHORT_V4 / SHORT_V6; a text that is no address is."""
    inet = ctx.ref if ctx.type.base == "inet" else sqlbuild.fill("CAST(:v AS INET)", v=ctx.ref)
    short = sqlbuild.fill(
        "(host(:i) = host(network(:i2)) AND masklen(:i3) <= CASE WHEN family(:i4) = 4"
        f" THEN {SHORT_V4} ELSE {SHORT_V6} END)",
        i=inet,
        **{f"i{n}": inet.copy() for n in range(2, 5)},
    )
    if ctx.type.base == "inet":
        return exp.Not(this=short)
    return sqlbuild.fill(
        "CASE WHEN strpos(CAST(:v AS TEXT), '/') > 0 AND (:v ~ :r4 OR :v ~ :r6)"
        " THEN NOT :s ELSE true END",
        v=ctx.ref,
        r4=IPV4_TEXT,
        r6=IPV6_TEXT,
        s=short,
    )


def _sized(new: exp.Expression, orig: exp.Expression) -> exp.Expression:
    """The masked host `new` at the prefix length of the inet `orig`; a network (host
    bits zero: Tryton's login_attempt.ip_network '101.24.5.0/24') masks to a network,
    its host bits cleared, so `::cidr` and Python's strict ip_network still read it (a
    host '10.182.119.183/24' they refuse). A host with its netmask ('192.168.1.5/24')
    stays a host."""
    # `new` (its digest) is read once: its host bits are cleared by a mask, not by a
    # second branch over it
    return sqlbuild.fill(
        "set_masklen(:n & CASE WHEN host(:o) = host(network(:o2)) AND masklen(:o3) <"
        " CASE WHEN family(:o4) = 4 THEN 32 ELSE 128 END THEN netmask(:o5)"
        " ELSE netmask(:o6) | hostmask(:o7) END, masklen(:o8))",
        n=new,
        o=orig,
        **{f"o{i}": orig.copy() for i in range(2, 9)},
    )


def _digest(ctx: ColumnContext, tag: str, orig: exp.Expression, is_text: bool) -> exp.Expression:
    """The keyed digest of an address (`orig`, an inet) in its printed form. Text that
    is an IPv4 host ('1.2.3.4': the pattern admits no leading zeros) is that form
    already and is not cast again, to keep the common text path as cheap as it was."""
    printed = sqlbuild.fill("abbrev(CAST(:o AS INET))", o=orig.copy())
    if is_text:
        printed = sqlbuild.fill(
            # strpos() over the text cast: PostgreSQL writes it POSITION(a IN b), whose b
            # takes no COLLATE (a column of a nondeterministic collation is read COLLATE
            # "default")
            "CASE WHEN strpos(CAST(:v AS TEXT), ':') + strpos(CAST(:v2 AS TEXT), '/') = 0"
            " THEN CAST(:v3 AS TEXT) ELSE :p END",
            v=ctx.ref,
            v2=ctx.ref,
            v3=ctx.ref,
            p=printed,
        )
    return sqlbuild.fill("dbrefresh.keyed(:p, :t)", p=sqlbuild.key_prefix(ctx, tag), t=printed)


def _other_network(
    drawn: exp.Expression,
    orig: exp.Expression,
    v4: ipaddress.IPv4Network | ipaddress.IPv6Network,
    v6: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> exp.Expression:
    """Never the original network (dbrefresh.other_network in sql/functions.sql: a
    function, so the drawn network, digest and all, is computed once)."""
    pool = sqlbuild.fill(
        "CASE WHEN family(:o) = 4 THEN CAST(:n4 AS CIDR) ELSE CAST(:n6 AS CIDR) END",
        o=orig,
        n4=str(v4),
        n6=str(v6),
    )
    return sqlbuild.fill(
        "dbrefresh.other_network(:d, CAST(:o AS CIDR), :p)", d=drawn, o=orig, p=pool
    )
