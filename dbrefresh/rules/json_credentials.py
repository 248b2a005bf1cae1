"""Second factors inside JSON documents, in `rules init`: their secrets masked, in shape.

Logto keeps a user's second factors in `users.mfa_verifications`: [{"type": "Totp",
"key": "AWOOTIK6DXTF..."}, {"type": "BackupCode", "codes": [{"code": "a1b2c3d4e5"}]},
{"type": "WebAuthn", "credentialId": ..., "publicKey": ...}]. The generic `key`, `code`
and `credentialId` name a credential only in a table of second factors (pii.py's
_SECRET_TABLES), so every TOTP seed and backup code reached staging, where anyone
reading it passes production's second factor. Here a path is about a second factor
when the column is named for one (`mfa_verifications`, `otp`, `two_factor`,
`webauthn_devices`), a key on the path is (`{"mfa": {"totp": {"key": ...}}}`), or a
discriminating key of its object (`type`, `kind`, `method`) names one in a sampled
document ('Totp', 'BackupCode', 'WebAuthn'); there, a generic key (`key`, `secret`,
`seed`, `code`, `codes`, `value`, `data`, `credential_id`, `public_key`...) holding
more than setting words (a digit somewhere) is a credential. The same keys in a document
about anything else (`{"type": "webhook", "key": "orders"}`) stay kept.

Each is masked in a shape the application still reads: base32 (a TOTP seed) by
`{hash, alphabet: base32}`, so the app still decodes it; short codes of letters and
digits (backup codes) by `{digits, letters: true}` (length, case and separators
kept, as redeemable codes are); anything else `hash`. A secret found by its key's name
elsewhere in a document (`otp_secret`, `totpSecret`) whose values are base32 gets
base32 too (base32_secrets.py does so for columns). Pure logic over json_paths' sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from dbrefresh.rules import pii, redeemable
from dbrefresh.rules.candidates import Candidate
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, field_name, join_path, path_parts

# Words naming a second factor, in a column's name, a key, or a discriminator's value
_FACTOR = re.compile(
    r"(?:^|_)(?:otp|totp|hotp|mfa|2fa|two_factor|twofactor|second_factor|web_?authn|u_2f|"
    r"fido|fido_2|passkeys?|authenticators?|yubikeys?|backup_codes?|recovery_codes?)(?:_|$)"
)
# Keys telling an object's kind apart ('type': 'Totp')
_DISCRIMINATORS = frozenset({"type", "kind", "method", "factor", "factor_type", "mechanism"})
# Keys that are the credential itself inside a second factor
_SECRET_KEYS = frozenset(
    {"key", "secret", "seed", "code", "codes", "value", "data", "payload", "digest"}
    | {"credential_id", "public_key", "key_handle", "private_key", "shared_secret", "otp"}
)
_BASE32 = re.compile(r"[A-Z2-7]{16,}=*")
_BASE32_DIGIT = re.compile(r"[2-7]")
BASE32_SHARE = 0.8  # of the sampled values, base32
MAX_CODE = 32  # characters of a code kept in shape (longer: a key, hashed)
BASE32_RULE: Candidate = ("hash", {"alphabet": "base32"})
WHY = "its secret, usable in production from staging"


def _keys(path: str) -> list[str]:
    """The object keys along a path (array positions and `*` left out), normalized."""
    parts = [field_name(p) or p for p in path_parts(path)]
    return [pii.normalize(p) for p in parts if not p.isdigit() and p != WILDCARD]


def base32(values: Sequence[str]) -> bool:
    """Most values base32 (A-Z, 2-7, 16 characters or more), most with a digit: TOTP
    seeds (the strategy hashes any other value to hex)."""
    sample = [v.strip() for v in values if v.strip()]
    seeds = [v for v in sample if _BASE32.fullmatch(v)]
    return (
        bool(sample)
        and len(seeds) >= BASE32_SHARE * len(sample)
        and 2 * sum(bool(_BASE32_DIGIT.search(v)) for v in seeds) >= len(seeds)
    )


def _words(values: Sequence[str]) -> bool:
    """Setting words or flags ('enabled', 'UserControlled'), no secret: no digit in any
    sampled value (seeds, codes and key ids hold digits)."""
    return not any(c.isdigit() for v in values for c in v)


def shaped_rule(values: Sequence[str]) -> tuple[Candidate, str]:
    """How a second factor's secret is masked and why: base32, a code, or hashed."""
    sample = [v.strip() for v in values if v.strip()]
    if base32(sample):
        return BASE32_RULE, "base32 (a TOTP seed): base32 of its length, so it still decodes"
    if sample and all(len(v) <= MAX_CODE and redeemable.is_code(v) for v in sample):
        letters = any(c.isalpha() for v in sample for c in v)
        rule: Candidate = ("digits", {"letters": True} if letters else {})
        return rule, "codes: `digits` keeps their length, case and separators"
    return ("hash", {}), "hashed"


def _factor_paths(paths: dict[str, list[str]]) -> set[str]:
    """The objects (their paths) a discriminating key names a second factor in."""
    out = set()
    for path, values in paths.items():
        keys = _keys(path)
        if (
            keys
            and keys[-1] in _DISCRIMINATORS
            and any(_FACTOR.search(pii.normalize(v)) for v in values)
        ):
            out.add(join_path(path_parts(path)[:-1]))
    return out


def _context(path: str, column: str, factors: set[str]) -> str | None:
    """Why the path sits in a second factor, or None."""
    if _FACTOR.search(pii.normalize(column)):
        return f"in `{column}`, a column of second factors"
    if any(_FACTOR.search(k) for k in _keys(path)[:-1]):
        return "under a key naming a second factor"
    if join_path(path_parts(path)[:-1]) in factors:
        return "in an object whose type names a second factor"
    return None


def refine(
    found: list[PathFinding], paths: dict[str, list[str]], column: str, table: str
) -> list[PathFinding]:
    """The findings, with the secrets of second factors added (generic keys in a
    second factor's object) and base32 secrets hashed to base32. A column named for a
    secret itself (otp_tokens.token) is hashed whole by its name: nothing added."""
    if (by_name := pii.match_name(column, table)) is not None and by_name.kind == "secret":
        return found
    out = {f.path: f for f in found}
    factors = _factor_paths(paths)
    for path, values in paths.items():
        known = out.get(path)
        if known is not None:
            if known.kind == "secret" and not known.rules and base32(values):
                reason = f"{known.reason}; {shaped_rule(values)[1]}"
                out[path] = replace(known, reason=reason, rules=(BASE32_RULE,))
            continue
        keys = _keys(path)
        if not keys or keys[-1] not in _SECRET_KEYS or _words(values):
            continue
        if (where := _context(path, column, factors)) is None:
            continue
        rule, how = shaped_rule(values)
        why = f"`{keys[-1]}` {where}: {WHY}; {how}"
        out[path] = PathFinding(path, "secret", why, rules=(rule,))
    return [out[p] for p in sorted(out)]
