"""ip on bytea: addresses packed as 4 (IPv4) or 16 (IPv6) bytes, network order.

Matomo keeps a visitor's address in log_visit.location_ip as bytea ('\\xc63f31c6' is
198.63.49.198), and no strategy fitted bytea: rules init kept it. The value is read as
the inet it packs, masked as an inet column's address is (its digest is the inet's own
text, so 198.63.49.198 masks alike in a bytea and an inet column), and packed back
(inet_send's address bytes): 4 bytes stay 4, 16 stay 16. An empty value is kept; one
of any other length packs no address and is refused before anything changes.
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.scalar import ELEMENT


def fits(ctx: ColumnContext) -> list[str]:
    """A bytea column, not an array of them (its elements' lengths go unchecked)."""
    if ctx.column == ELEMENT:
        return ["ip masks a bytea column of packed addresses, not arrays of them"]
    return []


def unpacked(value: exp.Expression) -> exp.Expression:
    """The inet a 4- or 16-byte value packs (IPv6 written as its eight hex groups)."""
    return sqlbuild.fill(
        "CASE WHEN length(:a) = 4 THEN CAST(get_byte(:b, 0) || '.' || get_byte(:b, 1) || '.'"
        " || get_byte(:b, 2) || '.' || get_byte(:b, 3) AS INET)"
        " ELSE CAST(rtrim(regexp_replace(encode(:c, 'hex'), '(....)', '\\1:', 'g'), ':') AS INET)"
        " END",
        a=value,
        b=value.copy(),
        c=value.copy(),
    )


def digest(ctx: ColumnContext, tag: str, address: exp.Expression) -> exp.Expression:
    """The keyed digest of the address as an inet column's value is digested (as inet
    prints it, abbrev(): '198.63.49.198')."""
    return sqlbuild.fill(
        "dbrefresh.keyed(:p, abbrev(:v))", p=sqlbuild.key_prefix(ctx, tag), v=address
    )


def packed(address: exp.Expression) -> exp.Expression:
    """The address bytes of an inet (inet_send writes family, bits, is_cidr and the
    address' length before them)."""
    return sqlbuild.fill("substr(inet_send(:a), 5)", a=address)


def kept_empty(ctx: ColumnContext, masked: exp.Expression) -> exp.Expression:
    """An empty value kept as it is (it names no one), the others masked."""
    return sqlbuild.fill(
        "CASE WHEN length(:v) = 0 THEN :w ELSE :m END", v=ctx.ref, w=ctx.ref, m=masked
    )


def refusal(ctx: ColumnContext) -> exp.Expression:
    """A message for a value of another length than 4, 16 (or 0)."""
    return sqlbuild.fill(
        "CASE WHEN length(:v) NOT IN (0, 4, 16) THEN :what || ' holds a value of '"
        " || length(:w) || ' bytes: ip masks addresses packed as 4 or 16 bytes' END",
        v=ctx.ref,
        w=ctx.ref,
        what=f"{ctx.table}.{ctx.column}",
    )


def changed(ctx: ColumnContext) -> exp.Expression:
    """The values ip changes on bytea (verify's leak check samples them): not empty."""
    return sqlbuild.fill("length(:v) > 0", v=ctx.ref)
