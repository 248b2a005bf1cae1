"""What a bytea column's sampled bytes are, in `rules init`: packed IP addresses, text.

The sampler reads bytea as hex ('\\xc63f31c6'), which no value detector reads. Matomo
keeps a visitor's address packed in log_visit.location_ip (4 or 16 bytes): it was kept
with "name suggests an IP address, but it is bytea". Ory Kratos keeps UTF-8 JSON in
courier_messages.template_data (the recipient's email, name, phone and verification
code): it was kept with no note. Here the bytes are read back: addresses packed as 4 or
16 bytes get `ip` (which masks them as inet and packs them back); values that decode as
UTF-8 text are handed back decoded, to be judged as a text column's (encoded_text.py).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii
from dbrefresh.rules.pii_values import EMAIL
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.role_addresses import SERVICE_LOCAL_PARTS

CUT = " … "  # between a long value's head and tail (sample.py)
ADDRESS_BYTES = frozenset({4, 16})
# Tables of visits, sessions and logins: a packed address there is the visitor's, even
# under a name that says nothing (Matomo's location_ip says it, others say `addr`)
VISIT_TABLE = re.compile(
    r"(?:^|[._])(?:log_)?(?:visits?|sessions?|logins?|sign_?ins?|access(?:_log)?|hits?|"
    r"requests?|audit(?:_log)?|events?)(?:_|$)",
    re.IGNORECASE,
)
# Control characters that text does not hold (tab, newline and carriage return do)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_SHARE = 0.9  # of the non-empty values decoding as text, for the column to be text
# A service's own mailboxes, not a person's: the sender a system writes into every row
_SERVICE = re.compile(rf"(?:{SERVICE_LOCAL_PARTS})(?:[+.\-_][^@]*)?@", re.IGNORECASE)


def raw(value: str) -> tuple[bytes, bytes | None] | None:
    """The sampled bytes ('\\x<hex>'): a whole value's, or a long one's head and tail."""
    if not value.startswith("\\x"):
        return None
    head, cut, tail = value[2:].partition(CUT)
    try:
        return bytes.fromhex(head), bytes.fromhex(tail) if cut else None
    except ValueError:
        return None


def packed_addresses(values: Sequence[str] | None) -> tuple[int, ...]:
    """The lengths of the sampled values when every non-empty one is an address packed
    as 4 or 16 bytes (empty otherwise)."""
    read = [raw(v) for v in values or ()]
    if any(r is None or r[1] is not None for r in read):
        return ()
    lengths = tuple(len(r[0]) for r in read if r is not None and r[0])
    return lengths if set(lengths) <= ADDRESS_BYTES else ()


def ip_proposal(
    table: Table, column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """`ip` for a bytea column of packed addresses, named as one, or in a table of
    visits or sessions under a name an address may have ('peer', 'remote'); None
    otherwise: 4 bytes are as often a CRC32 of the page's url, 16 a uuid or an MD5
    digest."""
    if column.type.base != "bytea" or column.type.is_array:
        return None
    if not (lengths := packed_addresses(values)):
        return None
    named = pii.match_name(column.name, table.qualified)
    if named is not None and named.kind == "ip":
        why = named.reason
    elif VISIT_TABLE.search(table.name) and _named_address(column.name):
        why = f"a column of {table.name}, a table of visits or sessions"
    else:
        return None
    count = len(lengths)
    return ColumnProposal(
        column.name,
        "ip",
        {"unique": True} if unique else {},
        unique=unique,
        kind="ip",
        why=[why, f"{count} of {count} sampled values are IP addresses packed as 4 or 16 bytes"],
    )


def _named_address(name: str) -> bool:
    """A name an address may hide under in a visits table ('addr', 'remote', 'peer')."""
    return bool(
        re.search(r"(?:^|_)(?:addr|address|remote|client|host|peer|ip\w*)(?:_|$)", name, re.I)
    )


def decoded(values: Sequence[str] | None) -> list[str] | None:
    """The sampled values as text when nearly all non-empty ones (TEXT_SHARE) are
    UTF-8 text with no control characters, else None (images, digests, packed ids)."""
    read = [r for v in values or () if (r := raw(v)) is not None and (r[0] or r[1])]
    if not read or len(read) < sum(1 for v in values or () if v not in {"\\x", ""}):
        return None
    texts = [t for r in read if (t := utf8_text(*r)) is not None]
    if len(texts) < TEXT_SHARE * len(read) or not any(t.strip() for t in texts):
        return None
    return texts


def utf8_text(head: bytes, tail: bytes | None) -> str | None:
    """UTF-8 text of the bytes (a long value's head and tail, each cut where a
    character may have been split), or None when they are no text."""
    try:
        if tail is None:
            text = head.decode("utf-8")
        else:
            start = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            text = start + CUT + tail.lstrip(bytes(range(0x80, 0xC0))).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def binary_emails(values: Sequence[str] | None) -> tuple[int, int, int]:
    """How many sampled non-empty values hold a person's email address among their
    bytes (Airflow's pickled XCom values: no UTF-8 text, yet the address is readable in
    them), of how many, and how many different addresses. A service's own sender
    ('noreply@github.com', 'mailer-daemon@...') is nobody's."""
    read = [r for v in values or () if (r := raw(v)) is not None and (r[0] or r[1])]
    held = 0
    different: set[str] = set()
    for head, tail in read:
        found = [
            m.group(0).lower()
            for m in EMAIL.finditer((head + (tail or b"")).decode("latin-1"))
            if not _SERVICE.match(m.group(0))
        ]
        held += bool(found)
        different.update(found)
    return held, len(read), len(different)
