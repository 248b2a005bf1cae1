"""Second factors inside JSON documents, in `rules init`: their secrets masked, in shape.

Logto keeps a user's second factors in `users.mfa_verifications`: [{"type": "Totp",
"key": "AWOOTIK6DXTF..."}, {"type": "BackupCode", "codes": [{"code": "a1b2c3d4e5"}]},
{"type": "WebAuthn", "credentialId": ..., "publicKey": ...}]. The generic `key`, `code`
and `credentialId` name a credential only in a table of second factors (pii.py's
_SECRET_TABLES), so every TOTP seed and backup code reached staging, where anyone
reading it passes production's second factor. Here a path is about a second factor
when the column is named for one (`mfa_verifications`, `otp`, `two_factor`,
`webauthn_devices`), a key on the path is (`{"mfa": {"totp": {"key": ...}}}`), or its
object's discriminating key (`type`, `kind`, `method`) names a kind of second factor
('Totp', 'BackupCode', 'WebAuthn': factor_objects.py). A typed object's paths are scoped
to its type (`integrations.[type=Totp].key`) and judged on its type's values alone: one
'mfa_reminder' template among 1,000 webhook documents had hashed every webhook's `key`.
There, `secret`, `seed`, `credential_id`... holding more than setting words (a digit)
are credentials, and the generic `key`, `code`, `codes`, `value`, `data` when their
values have a secret's shape (long and random-looking, or backup codes in a list): a
tenant's MFA settings ({"key": "period", "value": "30"}) are none. The same keys in a
document about anything else (`{"type": "webhook", "key": "orders"}`) stay kept.

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
from itertools import pairwise

from dbrefresh.rules import factor_objects, json_keys, pii, redeemable
from dbrefresh.rules.candidates import Candidate
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import (
    WILDCARD,
    field_name,
    join_path,
    path_parts,
    selectable,
    selector_segment,
)

Parts = tuple[str, ...]

# Words naming a second factor, in a column's name, a key, or a discriminator's value
_FACTOR = re.compile(
    r"(?:^|_)(?:otp|totp|hotp|mfa|2fa|two_factor|twofactor|second_factor|web_?authn|u_2f|"
    r"fido|fido_2|passkeys?|authenticators?|yubikeys?|backup_codes?|recovery_codes?)(?:_|$)"
)
# Keys that are the credential itself inside a second factor
_SECRET_KEYS = frozenset(
    {"key", "secret", "seed", "code", "codes", "value", "data", "payload", "digest"}
    | {"credential_id", "public_key", "key_handle", "private_key", "shared_secret", "otp"}
)
_BASE32 = re.compile(r"[A-Z2-7]{16,}=*")
_BASE32_DIGIT = re.compile(r"[2-7]")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
# Keys naming the credential itself: masked unless their values are setting words
_NAMED_SECRETS = frozenset(
    {"secret", "seed", "credential_id", "public_key", "key_handle", "private_key"}
    | {"shared_secret", "otp"}
)
BASE32_SHARE = 0.8  # of the sampled values, base32
SHAPE_SHARE = 0.8  # of the sampled values, a secret's shape
MIN_CLASS_CHANGES = 0.4  # per character of a random base64 string (camelCase: fewer)
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


def _class(c: str) -> int:
    return 0 if c.isdigit() else 1 if c.isupper() else 2 if c.islower() else 3


def _random(value: str) -> bool:
    """A long random-looking string: a base32 seed, hex or base64 of 16 characters or
    more with digits (base64: letters of both cases, changing class often, which a
    camelCase name or 'grace_period_days' does not)."""
    one_case = value.isupper() or value.islower()  # a seed may be written in lowercase
    if (one_case and _BASE32.fullmatch(value.upper())) or _HEX.fullmatch(value):
        return any(c.isdigit() for c in value)
    if not _BASE64.fullmatch(value) or len({_class(c) for c in value} & {0, 1, 2}) < 3:
        return False
    changes = sum(_class(a) != _class(b) for a, b in pairwise(value))
    return changes >= MIN_CLASS_CHANGES * len(value)


def _codes(values: Sequence[str]) -> bool:
    """Backup codes: codes of letters and digits (or digits) of one fixed length, most
    with a digit."""
    return (
        len({len(v) for v in values}) == 1
        and len(values[0]) <= MAX_CODE
        and all(redeemable.is_code(v) for v in values)
        and sum(any(c.isdigit() for c in v) for v in values) >= SHAPE_SHARE * len(values)
    )


def _listed(parts: Sequence[str]) -> bool:
    """The values are elements of a list, or keys of its objects ('codes.*.code')."""
    return any(p.isdigit() or p == WILDCARD for p in parts[-2:])


def secret_shaped(values: Sequence[str], parts: Sequence[str]) -> bool:
    """Values with a secret's shape, not a setting's: most long and random-looking, or
    backup codes in a list. 'period', '30', 'window_v2', 'orders.paid' are none."""
    sample = [v.strip() for v in values if v.strip()]
    if not sample:
        return False
    if sum(map(_random, sample)) >= SHAPE_SHARE * len(sample):
        return True
    return _listed(parts) and _codes(sample)


def shaped_rule(values: Sequence[str]) -> tuple[Candidate, str]:
    """How a second factor's secret is masked and why: base32, a code, or hashed."""
    sample = [v.strip() for v in values if v.strip()]
    if base32(sample):
        return BASE32_RULE, "base32 (a TOTP seed): base32 of its length, so it still decodes"
    if sample and _codes(sample):
        letters = any(c.isalpha() for v in sample for c in v)
        rule: Candidate = ("digits", {"letters": True} if letters else {})
        return rule, "codes: `digits` keeps their length, case and separators"
    return ("hash", {}), "hashed"


def _secret(key: str, values: Sequence[str], parts: Sequence[str]) -> bool:
    """A credential by its key in a second factor: a key naming one with more than
    setting words; a generic key (`key`, `code`, `value`) with a secret's shape."""
    if key in _NAMED_SECRETS:
        return not _words(values)
    return key in _SECRET_KEYS and secret_shaped(values, parts)


def _context(path: str, column: str) -> str | None:
    """Why the path sits in a second factor by its column's or a key's name, or None."""
    if _FACTOR.search(pii.normalize(column)):
        return f"in `{column}`, a column of second factors"
    if any(_FACTOR.search(k) for k in _keys(path)[:-1]):
        return "under a key naming a second factor"
    return None


def _named(found: dict[str, PathFinding], paths: dict[str, list[str]], column: str) -> None:
    """The secrets of paths in a second factor by a name (column's, a key's)."""
    for path, values in paths.items():
        known = found.get(path)
        if known is not None:
            if known.kind == "secret" and not known.rules and base32(values):
                reason = f"{known.reason}; {shaped_rule(values)[1]}"
                found[path] = replace(known, reason=reason, rules=(BASE32_RULE,))
            continue
        keys = _keys(path)
        if isinstance(values, json_keys.PairNames) or not keys:
            continue  # the labels of settings ('period', 'window_v2'), no secret
        if not _secret(keys[-1], values, path_parts(path)):
            continue
        if (where := _context(path, column)) is not None:
            rule, how = shaped_rule(values)
            why = f"`{keys[-1]}` {where}: {WHY}; {how}"
            found[path] = PathFinding(path, "secret", why, rules=(rule,))


def _general(path: str) -> Parts:
    return tuple(WILDCARD if p.isdigit() else p for p in path_parts(path))


def _typed(
    found: dict[str, PathFinding], factors: factor_objects.FactorObjects, column: str
) -> None:
    """The secrets of objects whose type names a second factor, scoped to them:
    `factors.[type=Totp].key` (only those objects' keys), or a plain path where no
    filter can say the type (the document itself) and most objects there are factors."""
    if _FACTOR.search(pii.normalize(column)):
        return  # every path judged by the column's name already
    known = {_general(p) for p in found}
    for kind, values_at in sorted(factors.values.items(), key=lambda kv: repr(kv[0])):
        if any(_FACTOR.search(pii.normalize(k)) for k in kind.at if k != WILDCARD):
            continue  # under a key naming a second factor: judged by its name
        scoped = bool(kind.at) and selectable(kind.value)
        if not scoped and not factors.mostly_factors(kind.at):
            continue
        for rel, values in sorted(values_at.items()):
            key = pii.normalize(next(k for k in reversed(rel) if k != WILDCARD))
            if not _secret(key, values, rel) or (*kind.at, *rel) in known:
                continue
            head = [*kind.at[:-1], selector_segment(kind.key, kind.value)] if scoped else kind.at
            path = join_path([*head, *rel])
            rule, how = shaped_rule(values)
            where = f"in the objects whose `{kind.key}` is {kind.value!r}, a second factor"
            why = f"`{key}` {where}: {WHY}; {how}"
            found[path] = PathFinding(path, "secret", why, rules=(rule,))


def refine(
    found: list[PathFinding],
    paths: dict[str, list[str]],
    column: str,
    table: str,
    factors: factor_objects.FactorObjects | None = None,
) -> list[PathFinding]:
    """The findings, with the secrets of second factors added (generic keys of a
    secret's shape in a second factor's object) and base32 secrets hashed to base32. A
    column named for a secret itself (otp_tokens.token) is hashed whole by its name:
    nothing added. `factors`: the sample's objects typed as second factors (none from
    XML, which has no such objects)."""
    if (by_name := pii.match_name(column, table)) is not None and by_name.kind == "secret":
        return found
    out = {f.path: f for f in found}
    _named(out, paths, column)
    if factors is not None:
        _typed(out, factors, column)
    return [out[p] for p in sorted(out)]
