"""vcard on bytea: the bytes read as text, whatever they hold.

Nextcloud's oc_cards.carddata and SOGo's c_content keep vCards as bytea, nearly always
UTF-8; an old import may be Latin-1 ('M\\xfcller') and a broken client may write
anything. convert_from(..., 'UTF8') raised on one such value, rolled the whole table
back, and anonymize failed every night. A value that is UTF-8 is read as UTF-8; any
other is read as Latin-1 (every byte a character, as sabre/vobject's own repair reads
it) with its NUL bytes dropped (text holds none), and masked line by line like any card:
nothing is kept unmasked, the application still gets a card, written back as UTF-8.
PostgreSQL 15 has no test that does not raise, so the UTF-8 check is a regular
expression over the value's hex (RFC 3629's well-formed sequences, as PostgreSQL's
own check: no overlong forms, surrogates or NUL).
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

_TAIL = "[89ab][0-9a-f]"  # a continuation byte, 80 to BF
# One well-formed UTF-8 character, NUL excluded, as lower-case hex
_CHARACTER = "|".join(
    (
        "0[1-9a-f]|[1-7][0-9a-f]",
        f"(?:c[2-9a-f]|d[0-9a-f]){_TAIL}",
        f"e0[ab][0-9a-f]{_TAIL}",
        f"(?:e[1-9a-c]|e[ef]){_TAIL}{_TAIL}",
        f"ed[89][0-9a-f]{_TAIL}",
        f"f0[9ab][0-9a-f]{_TAIL}{_TAIL}",
        f"f[1-3]{_TAIL}{_TAIL}{_TAIL}",
        f"f48[0-9a-f]{_TAIL}{_TAIL}",
    )
)
UTF8_HEX = f"^(?:{_CHARACTER})*$"


def as_text(value: exp.Expression) -> exp.Expression:
    """The bytea `value` as text: UTF-8 when it is, else Latin-1 without NUL bytes (each
    byte pair of the hex followed by a space, so '00 ' is always a whole byte)."""
    return sqlbuild.fill(
        "CASE WHEN encode(:v, 'hex') ~ :utf8 THEN convert_from(:v, 'UTF8')"
        " ELSE convert_from(decode(replace(replace(regexp_replace(encode(:v, 'hex'),"
        " '(..)', :spaced, 'g'), '00 ', ''), ' ', ''), 'hex'), 'LATIN1') END",
        v=value,
        utf8=UTF8_HEX,
        spaced=r"\1 ",
    )
