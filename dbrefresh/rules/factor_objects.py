"""Objects of a sampled JSON column whose `type` names a second factor, with their values.

json_credentials.py masks a generic `key` or `code` only inside a second factor's
object. Judged over every document's `key` at once, one `{"type": "mfa_reminder"}`
among 1,000 webhook and feature-flag documents hashed every webhook's event key and
every flag's value: a path names a key in every object, whatever its type. Here each
object whose discriminating key (`type`, `kind`, `method`) names a kind of second
factor ('Totp', 'BackupCode', 'WebAuthn', 'sms_otp'; not 'mfa_reminder', a setting)
is read apart: its values by path inside it, per type, and how many objects sit where
it does (so a path that cannot be filtered by type is masked only where most objects
are factors). Array positions are `*`. Pure logic over parsed documents.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dbrefresh.rules import pii
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD

Parts = tuple[str, ...]
MAX_DEPTH = 16  # as json_paths walks
# Keys telling an object's kind apart ('type': 'Totp'), in the order one is read
DISCRIMINATORS = ("type", "kind", "method", "factor", "factor_type", "mechanism")
# A kind of second factor, the whole (normalized) value: 'totp', 'backup_code',
# 'web_authn', 'mfa_totp', 'sms_otp', 'totp_device'. A word beside 'mfa' alone
# ('mfa_reminder', 'mfa_policy') is a setting about second factors, none itself.
_KIND = (
    r"(?:totp|hotp|otp|web_?authn|u_?2_?f|fido(?:_?2)?|passkeys?|backup_codes?|"
    r"recovery_codes?|security_keys?|yubikeys?|authenticator(?:_apps?)?|"
    r"(?:sms|email|phone|voice)_(?:otp|codes?)|(?:sms|email|phone|voice)_?2fa)"
)
FACTOR_KIND = re.compile(
    rf"(?:(?:mfa|2fa|two_factor|second_factor)_)?{_KIND}"
    r"(?:_(?:factors?|verifications?|devices?|credentials?|methods?|secrets?))?"
)


def names_factor(value: object) -> bool:
    """Whether a discriminator's value names a kind of second factor."""
    return isinstance(value, str) and FACTOR_KIND.fullmatch(pii.normalize(value)) is not None


@dataclass(frozen=True)
class Kind:
    """Objects at one path told apart as one factor: where, by which key, which value."""

    at: Parts  # the object's path in the document ('*' for array positions)
    key: str  # its discriminating key ('type')
    value: str  # the factor it names ('Totp')


@dataclass
class FactorObjects:
    """Second factors' objects in a sample of documents."""

    # their values by kind, then by path inside the object ('codes.*.code')
    values: dict[Kind, dict[Parts, list[str]]] = field(default_factory=dict)
    objects: Counter[Parts] = field(default_factory=Counter)  # objects met at each path
    factors: Counter[Parts] = field(default_factory=Counter)  # factors met at each path

    def mostly_factors(self, at: Parts) -> bool:
        """Most objects met at `at` are second factors (a path no filter can scope)."""
        return 2 * self.factors[at] > self.objects[at]


def _kind(obj: dict[str, Any], at: Parts) -> Kind | None:
    for key in DISCRIMINATORS:
        if names_factor(obj.get(key)):
            return Kind(at, key, obj[key])
    return None


def _scalars(value: Any, rel: Parts, depth: int) -> list[tuple[Parts, str]]:
    """(path inside the object, scalar) for each string or number under `value`."""
    if depth >= MAX_DEPTH:
        return []
    if isinstance(value, dict):
        return [s for k, v in value.items() if k for s in _scalars(v, (*rel, k), depth + 1)]
    if isinstance(value, list):
        return [s for v in value for s in _scalars(v, (*rel, WILDCARD), depth + 1)]
    if isinstance(value, str | int | float) and not isinstance(value, bool) and rel:
        return [(rel, str(value))]
    return []


def _walk(value: Any, at: Parts, depth: int, out: FactorObjects) -> None:
    if depth >= MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, (*at, WILDCARD), depth + 1, out)
        return
    if not isinstance(value, dict):
        return
    out.objects[at] += 1
    if (kind := _kind(value, at)) is not None:
        out.factors[at] += 1
        found = out.values.setdefault(kind, {})
        for key, item in value.items():
            if key != kind.key and key:
                for rel, scalar in _scalars(item, (key,), depth + 1):
                    found.setdefault(rel, []).append(scalar)
    for key, item in value.items():
        if key:
            _walk(item, (*at, key), depth + 1, out)


def collect(documents: list[Any]) -> FactorObjects:
    """The second factors' objects of parsed documents."""
    out = FactorObjects()
    for doc in documents:
        _walk(doc, (), 0, out)
    return out
