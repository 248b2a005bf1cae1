"""Phone numbers, as whole values and inside free text.

Strict on purpose: bare digit runs are more often ids, dates and decimals are no
numbers to call, and barcodes (`lookalikes.py`) only look like them. An extension
('797-386-9073x6625', '555-0199 ext. 12') belongs to the number it follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import lookalikes

_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+")
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
_DECIMAL = re.compile(r"-?\d+[.,]\d+")
# A number in text, with its extension if it has one: faker's and US CRMs'
# '797-386-9073x6625' was passed over, the 'x' glued to the digits ending no number
_EMBEDDED_PHONE = re.compile(
    r"(?<![\w])\+?\d[\d\s().\-/]{7,18}\d(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?![\w])",
    re.IGNORECASE,
)
# A local number whose extension is named as such ('555-0199 ext. 12'): the word says
# phone, where seven digits in two groups alone would not
_NAMED_EXTENSION = re.compile(
    r"(?<![\w])(\d[\d\s().\-/]{5,18}\d),?\s*(?:ext\.?|extension)\s*\d{1,6}(?![\w])",
    re.IGNORECASE,
)


# International calls dial '00' and a country code, which never starts with 0
_PADDING = "000"


def padded_numbers(values: Sequence[str]) -> bool:
    """A column of zero-padded numbers (Magento's order numbers '000000042'): bare digit
    strings of one length, each starting with 0, some with more zeros than a dialling
    prefix has. Their '00' values ('001234567', a later order) are no phone numbers
    either; a phone column with an all-zero placeholder does not count."""
    sample = [v.strip() for v in values if v.strip()]
    if not sample or len({len(v) for v in sample}) != 1:
        return False
    if not all(v.isdigit() and v.startswith("0") for v in sample):
        return False
    return any(v.startswith(_PADDING) and v.strip("0") for v in sample)


_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*\d{1,6}$", re.IGNORECASE)
# Longer than any formatted number with its extension ('+49 (0) 30 1234 5678 ext. 123456'):
# the extension's search tries every position, quadratic in a long value's spaces
MAX_PHONE_CHARS = 100


def is_phone(value: str) -> bool:
    """A formatted phone number; bare digit runs are too often ids to count."""
    if len(value.strip()) > MAX_PHONE_CHARS:
        return False
    text = _EXTENSION.sub("", value.strip())  # '797-386-9073x6625', '... ext. 12'
    if not _PHONE_CHARS.fullmatch(text) or _DATE_LIKE.fullmatch(text) or _DECIMAL.fullmatch(text):
        return False
    if lookalikes.is_gtin(text):
        return False  # a barcode (EAN/UPC), its check digit right
    if lookalikes.is_oid(text):
        return False  # a code system's OID: '2.16.840.1.113883.6.1'
    if text.startswith(_PADDING):
        return False  # '000000042': no dialling prefix is '000', a zero-padded number
    digits = sum(c.isdigit() for c in text)
    if not 7 <= digits <= 15:
        return False
    groups = len(re.findall(r"\d+", text))
    return (
        text.startswith(("+", "(", "00"))
        or groups >= 3
        or (groups == 2 and digits >= 9)
        or (text.startswith("0") and digits >= 9)
    )


def mentions_phone(text: str) -> bool:
    """Text (machine data already blanked) holding a phone number, with or without an
    extension."""
    return bool(phones_in(text))


def phones_in(text: str) -> set[str]:
    """The phone numbers text (machine data already blanked) holds, as their digits (one
    number written two ways counts once)."""
    found = {m for m in _EMBEDDED_PHONE.findall(text) if _embedded_phone(m)}
    found |= {m for m in _NAMED_EXTENSION.findall(text) if _local_number(m)}
    return {"".join(c for c in number if c.isdigit()) for number in found}


def _embedded_phone(found: str) -> bool:
    """A number found in text is a phone number, not a barcode (judged without its
    extension: '012345678901 x5' is no more a phone than '012345678901')."""
    return is_phone(found) and not lookalikes.is_bare_code(_EXTENSION.sub("", found))


def _local_number(number: str) -> bool:
    """Seven to fifteen digits in two groups or more, neither a date nor a decimal."""
    text = number.strip()
    return (
        _PHONE_CHARS.fullmatch(text) is not None
        and not (_DATE_LIKE.fullmatch(text) or _DECIMAL.fullmatch(text))
        and 7 <= sum(c.isdigit() for c in text) <= 15
        and len(re.findall(r"\d+", text)) >= 2
    )
