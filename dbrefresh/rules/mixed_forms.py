"""Columns mixing forms of value under one whole-column rule, in `rules init`: `forms`.

An `email` proposal whose sample also held phone numbers (Kratos's
courier_messages.recipient: an SMS's '+33...') or account ids (Kratos's
identity_credential_identifiers.identifier: 'google:<sub>') becomes `forms`, each value
masked by its own form: the address as before, the phone number as a phone number,
'google:<sub>' with its prefix kept and its digits masked as the bare id is
(provider_ids.py). A column of addresses alone keeps plain `email`.

The same for the other forms beside addresses, which one rule leaked or broke:
- usernames beside addresses (a `login` or `contact` column holding either): `email`
  made every username an address; the usernames now get the rule rules init proposes
  for a column of usernames (`hash` behind 'u'), the addresses stay addresses;
- addresses (or usernames) beside phone numbers or digits (a `handle` holding either):
  `phone` rewrites digits only, so 'anna.schmidt.1@mail.example' became
  'anna.schmidt.2@mail.example' and the name survived; the addresses now get `email`
  (unique where the column is), the numbers the column's own rule, the usernames the
  username rule.
Usernames count when they are many distinct ones (a tenth of the sample): 'n/a',
'unknown', '-' or a few repeated words ('zoom', Cal.com's location) are no one's, and a
phone column with a few of them stays `phone`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbrefresh.catalog import Catalog
from dbrefresh.rules.fitting import column_context, fits, of_kind, with_unique
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.phones import is_phone
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.forms import NUMBER_PREFIX

MIN_DIGITS = 4  # a GitHub user id has at least this many; '1', '42' are flags and counts
# the strategy's `number` form, of at least MIN_DIGITS digits
_ACCOUNT = re.compile(rf"^{NUMBER_PREFIX}[0-9]{{{MIN_DIGITS},}}$")
NUMBER_RULE = {"strategy": "digits", "unique": True}
MIN_MIXED = 2  # values of another form (addresses, phone numbers, account ids)
MIN_NAMES_SHARE = 0.1  # distinct usernames among the sampled values
# a username or a person's name: letters first, no ':' or '/' ('integrations:zoom')
_NAME = re.compile(r"^[^\W\d_][\w.'+ -]*$")
_NOBODY = frozenset(
    {"n/a", "na", "none", "null", "nil", "unknown", "tbd", "test", "-", "no", "yes", "false"}
)


def is_account(value: str) -> bool:
    """An account number, alone or after a 'provider:' prefix."""
    return bool(_ACCOUNT.match(value))


def is_username(value: str) -> bool:
    """A login or a person's name: no address, number or placeholder."""
    text = value.strip()
    return bool(_NAME.match(text)) and "@" not in text and text.lower() not in _NOBODY


@dataclass(frozen=True)
class Mixed:
    """What a column's sample held besides the form its rule masks."""

    rule: str  # the column's proposed strategy: email, phone or digits
    numbers: int = 0  # account numbers ('google:<sub>')
    phones: int = 0
    emails: int = 0
    names: int = 0  # distinct usernames


def held(rule: str, values: Sequence[str]) -> Mixed | None:
    """The other forms among the sampled values of a column proposed `rule` (None when
    too few: a column of addresses alone keeps plain `email`, of phone numbers `phone`)."""
    sample = [v.strip() for v in values if v.strip()]
    names = {v for v in sample if is_username(v)}
    many_names = len(names) >= max(MIN_MIXED, MIN_NAMES_SHARE * len(sample))
    if rule == "email":
        others = [v for v in sample if "@" not in v]
        numbers = sum(1 for v in others if is_account(v))
        phones = sum(1 for v in others if not is_account(v) and is_phone(v))
        found = Mixed(rule, numbers, phones, names=len(names) if many_names else 0)
        return found if numbers + phones >= MIN_MIXED or found.names else None
    emails = sum(1 for v in sample if "@" in v)
    if emails >= MIN_MIXED or many_names:
        return Mixed(rule, emails=emails, names=len(names) if many_names else 0)
    return None


def apply_mixed(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    mixed: Mapping[tuple[str, str], Mixed],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """`forms` for the columns whose sample held other forms than their rule masks: the
    rule (an email rule folded, unique: after the email passes) as its own form's case;
    in place. An address list (`lists: true`) stays as it is."""
    for (name, column), found in mixed.items():
        proposal = proposals.get(name, {}).get(column)
        if proposal is None or proposal.strategy != found.rule or proposal.params.get("lists"):
            continue
        table = catalog.tables[name]
        unique = column in table.unique_columns()
        ctx = column_context(table, table.columns[column], unique=unique)
        own = rule_value(proposal)
        cases: dict[str, Any] = {}
        seen = []
        if found.rule == "email":
            cases["email"] = own
            default: Any = "hash"
        else:
            cases["email"] = with_unique(strategies["email"], {"strategy": "email"}, unique)
            if found.emails:
                seen.append(f"{found.emails} email addresses")
            default = own  # a value of no form (an extension, 'n/a') as before
        if found.numbers:
            cases["number"] = dict(NUMBER_RULE)
            seen.append(f"{found.numbers} account numbers ('google:<id>')")
        if found.phones:
            cases["phone"] = {"strategy": "phone", **({"unique": True} if unique else {})}
            seen.append(f"{found.phones} phone numbers")
        if found.names:
            seen.append(f"{found.names} usernames")
            if found.rule != "email":
                cases["number" if found.rule == "digits" else "phone"] = own
            default = _username_rule(strategies, cases, ctx) or default
        params = {"cases": cases, "default": default}
        if not fits(strategies["forms"], params, ctx):
            continue
        proposals[name][column] = ColumnProposal(
            column,
            "forms",
            params,
            unique=proposal.unique,
            kind=proposal.kind,
            why=[
                *proposal.why,
                f"but the sample also held {' and '.join(seen)}: each value masked by its "
                f"form ({_how(params, found)})",
            ],
        )


def _how(params: Mapping[str, Any], found: Mixed) -> str:
    """How each form is masked, for the proposal's comment."""
    cases = params["cases"]
    how = ["an address as an address"]
    if "number" in cases:
        how.append("a number's digits alike wherever the id is")
    if "phone" in cases or (found.rule == "phone" and not found.names):
        how.append("a phone number as a phone number")
    if found.names:
        how.append("a username as usernames are")
    if found.rule == "email" and not found.names:
        how.append("any other value hashed")
    elif found.rule != "email" and not found.names:
        how.append(f"any other value by `{found.rule}` as before")
    return ", ".join(how)


def _username_rule(
    strategies: Mapping[str, Strategy[Any]], cases: Mapping[str, Any], ctx: Any
) -> dict[str, Any] | None:
    """The first rule rules init proposes for a column of usernames that fits as the
    default of these cases."""
    for strategy, raw in of_kind("username"):
        rule = {"strategy": strategy, **with_unique(strategies[strategy], raw, ctx.unique)}
        if fits(strategies["forms"], {"cases": cases, "default": rule}, ctx):
            return rule
    return None
