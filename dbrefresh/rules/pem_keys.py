"""PEM private keys in `rules init`, known by their armour whatever the column's name.

Akkoma's users.keys held production's RSA private keys and was kept (no name or value
detector knew them); Lemmy's person.private_key and Misskey's "privateKey", secrets by
their names, were hashed to 32 hex digits, and the application failed on the first
federation request it signed. A column or JSON path whose sampled values are mostly
PEM private keys ('-----BEGIN RSA PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----', EC,
DSA, OpenSSH, encrypted PKCS#8; a truncated one too, as Wiki.js's settings `certs`
document may show) gets `private_key`: a throwaway key of the same kind. Public keys
('-----BEGIN PUBLIC KEY-----', certificates) are no secret and stay as they are.

A key+certificate bundle (haproxy's and nginx's PEM: a key and its chain, in either
order) counts as a key: `private_key` replaces its key block and keeps the certificates.
A key inside other text (a config file, a note) is pem_texts.py's.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

KIND = "private_key"
LABEL = "a PEM private key"
# The armour's first line, at the value's start: 'RSA PRIVATE KEY', 'PRIVATE KEY', ...
_ARMOUR = re.compile(r"\s*-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
THRESHOLD = 0.5
_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
# A whole private key block (its armours: group 1 the label)
BLOCK = re.compile(rf"-----BEGIN ({_LABEL})-----(?:[^-]|-[^-])*-----END \1-----")


# A block that is no private key's: a bundle's certificate, public key, parameters
_OTHER_BLOCK = re.compile(rf"-----BEGIN (?!{_LABEL}-----)[A-Z0-9 ]+-----")
# A key's body, not a placeholder ('-----BEGIN PRIVATE KEY-----\n...\n-----END ...')
_BODY = re.compile(r"[A-Za-z0-9+/]{20}")
# private_key's parameters for keys inside other text (pem_texts.py, a JSON path's text)
IN_TEXT: dict[str, bool] = {"within_text": True}
IN_PLACE = (
    "each key block replaced in place by a throwaway key of its kind, the rest of the "
    "text (certificates, other settings, indentation) kept"
)


def holds_key(value: str) -> bool:
    """A value holding a whole PEM private key block with a body, wherever in it."""
    return any(_BODY.search(m.group(0)) for m in BLOCK.finditer(value))


def in_text_reason(values: Sequence[str]) -> str | None:
    """'N of M sampled values hold a PEM private key inside other text' (None: none
    does)."""
    sample = [v for v in values if v.strip()]
    holding = sum(1 for v in sample if holds_key(v))
    if not holding:
        return None
    return f"{holding} of {len(sample)} sampled values hold a PEM private key inside other text"


def is_private_key(value: str) -> bool:
    """A value that opens with a PEM private key's armour, or a PEM bundle (a value
    opening with a certificate's armour, say) holding a whole private key block."""
    if _ARMOUR.match(value) is not None:
        return True
    return value.lstrip().startswith("-----BEGIN ") and BLOCK.search(value) is not None


def reason(values: Sequence[str] | None) -> str | None:
    """'N of M sampled values are PEM private keys' when most are (None otherwise)."""
    return found(values)[1]


def found(values: Sequence[str] | None) -> tuple[str, str | None]:
    """The kind to mask the sampled values as and why (the reason None when most are
    no PEM private keys): `private_key`, or `secret` (hashed) for keys of an algorithm
    no throwaway key has (a PKCS#8 EC or Ed25519 key became RSA, an EC P-384 key P-256,
    and an application signing ES256 or EdDSA failed)."""
    sample = [v for v in values or () if v.strip()]
    keys = [v for v in sample if is_private_key(v)]
    if not keys or len(keys) < THRESHOLD * len(sample):
        return KIND, None
    said = f"{len(keys)} of {len(sample)} sampled values are PEM private keys"
    if bundles := sum(1 for v in keys if _OTHER_BLOCK.search(v)):
        said += f" ({bundles} in bundles: their certificates and other blocks kept)"
    if other := sorted({a for v in keys if (a := _unmatched(v)) is not None}):
        return "secret", (f"{said} of algorithms no throwaway key has ({', '.join(other)}): hashed")
    return KIND, (
        f"{said}: replaced by a throwaway key of the same kind (the application still "
        "parses and signs with it)"
    )


# Algorithm identifiers (DER) inside a PKCS#8 or SEC1 key's body
_RSA = bytes.fromhex("2a864886f70d010101")  # rsaEncryption
_P256 = bytes.fromhex("2a8648ce3d030107")  # prime256v1
_ALGORITHMS = {
    bytes.fromhex("2a8648ce3d0201"): "EC",
    bytes.fromhex("2b6570"): "Ed25519",
    bytes.fromhex("2b6571"): "Ed448",
    bytes.fromhex("2b8104"): "EC",  # a secp curve (P-384, P-521)
}


def _unmatched(value: str) -> str | None:
    """The algorithm of a key the throwaway of its armour's kind does not match (a
    'PRIVATE KEY' holding EC, an 'EC PRIVATE KEY' on another curve than P-256), or None
    (a match, or a body that does not decode: truncated in the sample, encrypted). Each
    whole private key block of a bundle is read, its certificates not."""
    blocks = [m.group(0) for m in BLOCK.finditer(value)] or [value.lstrip()]
    return next((a for block in blocks if (a := _block_unmatched(block)) is not None), None)


def _block_unmatched(value: str) -> str | None:
    """_unmatched for one block, its armour first."""
    label = _ARMOUR.match(value)
    if label is None:
        return None
    body = re.sub(r"-----[^-]+-----|\s", "", value)
    try:
        der = base64.b64decode(body, validate=True)
    except (ValueError, binascii.Error):
        return None
    if "EC PRIVATE KEY" in label.group(0):
        return None if _P256 in der else "EC, not P-256"
    if "BEGIN PRIVATE KEY" not in label.group(0) or _RSA in der:
        return None
    return next((name for oid, name in _ALGORITHMS.items() if oid in der), None)
