"""Text that looks like a contact detail but is machine data: timestamps, IP lists,
version numbers, message ids, barcodes, UUIDs and hex digests.

Free text is searched for phone numbers and email addresses (`pii_values.has_contact`),
and a few rows are enough to empty a column with `lorem`. A timestamp ('2024-11-19
14:04:26') or an X-Forwarded-For list ('83.39.228.186, 201.61.81.173') read as a phone
number destroyed columns the application needs, so these shapes are blanked first.
Percent-encoding is decoded first: 'landing?email=kd23757%40mail.example' in a third of
a URL column's rows was kept, as no '@' was seen.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_DATE = (
    r"\d{4}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|[12]\d|3[01])[-./]\d{4}"
)
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_QUAD = r"\d{1,3}(?:\.\d{1,3}){3}"
# a version is written after its product ('Chrome/120.0.6099.109', 'v2.3.1', 'rv:1.9')
_VERSION = r"(?:(?<=[/vV])|(?<=rv:))\d+(?:[._]\d+)+"
_MACHINE = re.compile(rf"(?<![\d.:])(?:{_DATE}|{_TIME}|{_QUAD})(?!\.?\d)|{_VERSION}", re.IGNORECASE)
# an address in angle brackets ('<...@mail.example.com>'), judged by its local part
_BRACKETED = re.compile(r"<([^<>@\s]+)@[^<>\s]+>")
_HEX_ID = re.compile(r"[0-9a-f]{8}-?(?:[0-9a-f]{4}-?){3}[0-9a-f]{12}|[0-9a-f.-]{16,}", re.I)
MIN_CODE_DIGITS, MAX_CODE_DIGITS = 12, 14  # UPC-A, EAN-13, GTIN-14
# A UUID or a hex digest or token, dashes allowed: 'f5224aef-1575-5715-7154-df83...'
# held the phone number '1575-5715-7154', and a GoTrue user_id column of UUIDs as text
# (a join column) got `lorem`. An address whose local part is one stays: '...@x.org'.
_HEX_TOKEN = re.compile(r"(?<![0-9a-z])[0-9a-f]+(?:-[0-9a-f]+)+(?![0-9a-z@])", re.I)
MIN_TOKEN_HEX = 32  # a UUID's or an MD5's hex digits
# An OID names a code system ('urn:oid:2.16.840.1.113883.4.1', the US SSN's, in FHIR's
# identifier.system): its arcs '840.1.113883' read as a phone number, and every code
# system of HAPI's hfj_spidx_token became lorem. A root arc of 0 or 1 has a second arc
# below 40 (ITU-T X.660), so '1.800.555.1234' stays a phone number; four arcs at least.
_OID = re.compile(
    r"(?<![\d.+])(?:urn:oid:)?(?:[01]\.(?:[1-3]?[0-9])|2\.\d+)(?:\.\d+){2,}(?!\.?\d)",
    re.IGNORECASE,
)

# A reference code: capital letters, a dash, digit groups ('LOAN-2024-000001', Camunda's
# business keys, 'INV-2023-0042'): '2024-000001' read as a phone number, and every
# business key became lorem (one per process, the application's id for it).
_CODE = re.compile(r"(?<![\w@.+/-])[^\W\d_]{2,10}(?:-[^\W_]+)+(?![\w@.-])")


def is_reference_code(value: str) -> bool:
    """A whole value that is a reference code ('LOAN-2024-000001', 'KYC-00001')."""
    found = _CODE.fullmatch(value.strip())
    return found is not None and _coded(found.group())


def _code(match: re.Match[str]) -> str:
    return " " if _coded(match.group()) else match.group()


def _coded(token: str) -> bool:
    """Capital letters ('ONB-9132-HÄNE' too) and digits: a code, not 'Tel-0612345678'."""
    return token == token.upper() and any(c.isdigit() for c in token)


def is_message_id(local: str) -> bool:
    """A Message-ID's left part: a UUID or hex id, or a long run of digits and letters
    (Gmail's 'CAKm3QH1...', Exim's 'E1tDdXy-0003xy-Ab'), not a person's mailbox."""
    digits = sum(c.isdigit() for c in local)
    return bool(_HEX_ID.fullmatch(local)) or (
        digits >= 4 and (len(local) >= 16 or digits >= 0.3 * len(local))
    )


def _bracketed(match: re.Match[str]) -> str:
    return " " if is_message_id(match.group(1)) else match.group()


def _hex_token(match: re.Match[str]) -> str:
    token = match.group()
    return " " if len(token) - token.count("-") >= MIN_TOKEN_HEX else token


def without_machine_data(text: str) -> str:
    """The text with dates, times, IP addresses, versions, message ids, UUIDs, hex
    tokens, OIDs and reference codes blanked, and percent-encoding decoded ('%40' is an '@')."""
    text = unquote(text) if "%" in text else text
    text = _OID.sub(" ", text)
    text = _CODE.sub(_code, text) if "-" in text else text
    return _BRACKETED.sub(_bracketed, _MACHINE.sub(" ", _HEX_TOKEN.sub(_hex_token, text)))


def is_oid(value: str) -> bool:
    """A whole value that is an OID: '2.16.840.1.113883.6.1', 'urn:oid:1.2.36.146.595'."""
    return _OID.fullmatch(value.strip()) is not None


def is_bare_code(digits: str) -> bool:
    """A barcode (EAN/UPC/GTIN): 12-14 digits with no separator; a phone number written
    in text has spaces, dashes or a '+'."""
    return digits.isdigit() and MIN_CODE_DIGITS <= len(digits) <= MAX_CODE_DIGITS


def is_gtin(value: str) -> bool:
    """A whole value that is a barcode: 12-14 bare digits whose last is the GS1 check
    digit ('0324106529631'; a column of them was proposed as phone numbers)."""
    if not is_bare_code(value):
        return False
    body = [int(c) for c in reversed(value[:-1])]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - total % 10) % 10 == int(value[-1])
