"""SSH public keys, as Gitea's `public_key.content` and GitLab's `keys.key` hold them.

'ssh-ed25519 AAAAC3Nz... alice@example.org' got `lorem` whole (its comment counted as
an email address), which broke authorized_keys and every key login on staging. The key
type and the key stay: a public key is no secret, the application parses and
fingerprints it, and no strategy could make a new one that works. Only the comment
(user@host, an address) is personal: an `sql` rule replaces it by a constant, which
also changes a key saved without a comment (else verify would count it a survivor). A
value that is no key in a column of them becomes its MD5 digest. A unique column keeps
its usual proposal: two comments on one key would collide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules.proposal import ColumnProposal

_KEY = re.compile(
    r"\s*(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(?:256|384|521)"
    r"|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(?:-cert-v01@openssh\.com)?"
    r"\s+AAAA[A-Za-z0-9+/]+={0,3}(?:\s.*)?",
    re.DOTALL,
)
# The same in PostgreSQL's regular expressions: the key type and key, then the comment
_SQL_KEY = r"^\s*([a-z0-9@.-]+\s+AAAA[A-Za-z0-9+/]+=*)(\s.*)?$"
COMMENT = "masked-key"


def is_ssh_key(value: str) -> bool:
    return _KEY.fullmatch(value) is not None


def expression(column: str) -> str:
    """The `sql` expression keeping a key's type and key, its comment replaced."""
    quoted = '"' + column.replace('"', '""') + '"'
    return (
        f"CASE WHEN regexp_replace({quoted}, '{_SQL_KEY}', '') = ''"
        f" THEN regexp_replace({quoted}, '{_SQL_KEY}', '\\1') || ' {COMMENT}'"
        f" ELSE md5({quoted}) END"
    )


def proposal(
    column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """An `sql` rule for a text column whose every sampled value is an SSH public key
    (None otherwise, or when the column is unique)."""
    sample = [v for v in values or () if v.strip()]
    if unique or not sample or not column.type.is_text or column.type.is_array:
        return None
    if not all(map(is_ssh_key, sample)):
        return None
    return ColumnProposal(
        column.name,
        "sql",
        {"expression": expression(column.name)},
        kind="ssh_key",
        why=[
            f"{len(sample)} of {len(sample)} sampled values look like SSH public keys: "
            f"type and key kept (the application parses them), the comment (user@host) "
            f"replaced by '{COMMENT}'"
        ],
    )
