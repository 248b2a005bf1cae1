"""PEM private key blocks found inside a value, as PostgreSQL regular expressions.

A key+certificate bundle (haproxy's and nginx's PEM files, Keycloak's and an ingress's
settings: '-----BEGIN PRIVATE KEY-----...' then '-----BEGIN CERTIFICATE-----...') lost
its certificates when `private_key` wrote one key over the whole value, and the
application could no longer read its chain; a key pasted into a config file kept in a
text column (YAML's `ssl_key: |` and its indented lines, a .env's
`KEY="-----BEGIN ...\\n...\\n-----END ...\\n"`, a note) reached staging. These
expressions let `private_key` replace each complete block of a known label by the
throwaway key of that label, in place, keeping every other byte: the line break after
the armour ('\\n', '\\r\\n', an escaped '\\n' or a space) and the indentation of the
block's lines are captured and repeated between the written key's lines, so YAML's
literal block still parses and a .env line stays one line.
"""

from __future__ import annotations

from dbrefresh.strategies.throwaway_keys import KEYS

# Any private key's label: 'RSA PRIVATE KEY', 'PRIVATE KEY', 'PGP PRIVATE KEY BLOCK', ...
ANY_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
# A block's inside: anything but the five dashes of an armour (headers such as
# 'DEK-Info: AES-128-CBC,...' hold single dashes), so a match never spans two blocks
_INSIDE = r"(?:[^-]|-[^-])*"
# The line break after the armour, then the indentation of the block's lines
_BREAK = r"(\r?\n|\\r\\n|\\n| )?([ \t]*)"

ARMOUR = rf"-----BEGIN {ANY_LABEL}-----"


def _complete(label: str) -> str:
    """A whole block of this label, its armours included (no capture groups)."""
    return f"{label}-----{_INSIDE}-----END {label}-----"


# An armour that opens no complete block of a label a throwaway key exists for: a key
# cut short, or of a kind with no throwaway (PGP): the whole value is replaced then
INCOMPLETE = (
    "-----BEGIN " + "".join(f"(?!{_complete(label)})" for label in KEYS) + f"{ANY_LABEL}-----"
)
# Such an armour followed by a key's body (a run of base64), not a mere mention of the
# armour in a sentence ('paste it as -----BEGIN PRIVATE KEY----- ...'), which text keeps
KEY_CUT_SHORT = INCOMPLETE + "[^-]{0,200}[A-Za-z0-9+/]{20}"
# Some complete block of a known label
COMPLETE = "-----BEGIN (?:" + "|".join(_complete(label) for label in KEYS) + ")"


def block(label: str) -> str:
    """A whole block of this label; group 1 the line break, group 2 the indentation."""
    return f"-----BEGIN {label}-----{_BREAK}{_INSIDE}-----END {label}-----"


def written(label: str) -> str:
    """The regexp_replace replacement writing the throwaway key of the label, its lines
    joined by the block's own line break and indentation (\\1\\2)."""
    lines = KEYS[label].rstrip("\n").split("\n")
    return "\\1\\2".join(line.replace("\\", "\\\\").replace("&", "\\&") for line in lines)
