"""Role mailboxes (postmaster@, abuse@, noreply@) and catch-alls ('@domain'): kept.

PostfixAdmin's alias table holds people's mailboxes beside the domain's role addresses
(RFC 2142: postmaster@, abuse@, hostmaster@, webmaster@) and its catch-all
'@example.org' (no local part). `email` with `unique: true` made them person-like
addresses: Postfix requires postmaster@ of every domain, and the catch-all no longer
caught anything. They name no one. When the sampled values of an email column hold
such addresses, every email rule of the database gets `keep` with the role local parts
met ('' for the catch-all), so the same address stays alike in every table (alias
`address` and `goto`). SERVICE_LOCAL_PARTS, a wider list of a system's own senders,
is bytea_values.py's too. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.rule_alike import containers
from dbrefresh.strategies.email import SERVICE_LOCAL_PARTS

__all__ = ["SERVICE_LOCAL_PARTS"]

# RFC 2142's mailbox names for mail, web and network services, and the senders that
# reply to no one: no person's
ROLE_LOCAL_PARTS = frozenset(
    {
        "postmaster",
        "abuse",
        "hostmaster",
        "webmaster",
        "noc",
        "security",
        "mailer-daemon",
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
    }
)
CATCH_ALL = ""  # the local part of '@example.org'
EMAIL = "email"
_ADDRESS = re.compile(r"<\s*([^<>\s]*@[^<>\s]+)\s*>\s*$")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def found(proposals: Mapping[str, ColumnProposal], samples: Mapping[str, Any]) -> set[str]:
    """The role local parts ('' for a catch-all) in the sampled values of the table's
    columns proposed `email`."""
    met: set[str] = set()
    for column, proposal in proposals.items():
        if proposal.strategy != EMAIL:
            continue
        values: Sequence[str] = samples.get(column) or ()
        met |= {part for v in values for part in _role_parts(v)}
    return met


def _role_parts(value: str) -> Iterable[str]:
    """The role local parts of each address of a value (a list split at ',' or ';')."""
    for item in re.split(r"[,;]", value):
        text = item.strip()
        if (bracketed := _ADDRESS.search(text)) is not None:
            text = bracketed[1]
        local, at, domain = text.rpartition("@")
        if not at or not _DOMAIN.fullmatch(domain):
            continue
        if local.lower() in ROLE_LOCAL_PARTS or local == CATCH_ALL:
            yield local.lower()


def keep_roles(proposals: Mapping[str, Mapping[str, ColumnProposal]], roles: set[str]) -> None:
    """`keep: roles` on every email rule: columns, JSON paths, switch cases."""
    if not roles:
        return
    keep = sorted(roles)
    shown = ", ".join(f"'{r}@'" if r else "'@domain'" for r in keep)
    note = f"keep: {shown}: role addresses and catch-alls name no one (RFC 2142)"
    for columns in proposals.values():
        for proposal in columns.values():
            if proposal.strategy == EMAIL:
                proposal.params["keep"] = keep
                proposal.why.append(note)
                continue
            for rules in containers(proposal.params):
                if _add_keep(rules, keep):
                    proposal.why.append(note)


def _add_keep(rules: MutableMapping[str, Any], keep: list[str]) -> bool:
    """`keep` on each email rule of one mapping (a shorthand made a mapping to take it)."""
    added = False
    for key, rule in rules.items():
        if rule == EMAIL or (isinstance(rule, dict) and rule.get("strategy") == EMAIL):
            rules[key] = {**(rule if isinstance(rule, dict) else {"strategy": EMAIL}), "keep": keep}
            added = True
    return added
