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
- addresses beside usernames in a column named for logins (OpenProject's users.login,
  Airflow's ab_user.username: people who log in by address), proposed `hash`: every
  address hashed, so `login = mail` matched no row after masking; the addresses now get
  the email rule (aligned with the table's email column afterwards), the rest `hash` as
  before. They count from MIN_LOGIN_EMAILS of the sample.
Usernames count when they are many distinct ones (a tenth of the sample): 'n/a',
'unknown', '-' or a few repeated words ('zoom', Cal.com's location) are no one's, and a
phone column with a few of them stays `phone`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.fitting import column_context, fits, of_kind, with_unique
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.phones import is_phone
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.forms import DOMAIN_PATTERN, NUMBER_PREFIX, UUID_PATTERN
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

MIN_DIGITS = 4  # a GitHub user id has at least this many; '1', '42' are flags and counts
# the strategy's `number` form, of at least MIN_DIGITS digits
_ACCOUNT = re.compile(rf"^{NUMBER_PREFIX}[0-9]{{{MIN_DIGITS},}}$")
NUMBER_RULE = {"strategy": "digits", "unique": True}
MIN_MIXED = 2  # values of another form (addresses, phone numbers, account ids)
MIN_NAMES_SHARE = 0.1  # distinct usernames among the sampled values
MIN_LOGIN_EMAILS = 0.1  # addresses among a login column's sampled values
LOGIN_KIND = "username"
ID_RULES = frozenset({"hash", "lorem"})  # what an id column of addresses and UUIDs got
MIN_WORDS = 0.95  # of an id column's sampled values: no spaces in them
# a username or a person's name: letters first, no ':' or '/' ('integrations:zoom')
_NAME = re.compile(r"^[^\W\d_][\w.'+ -]*$")
_HEX = re.compile(r"^[0-9a-fA-F-]*[0-9][0-9a-fA-F-]*$")
MIN_LETTERS = 3
_UUID = re.compile(UUID_PATTERN)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # a whole value that is an address
_NOBODY = frozenset(
    {"n/a", "na", "none", "null", "nil", "unknown", "tbd", "test", "-", "no", "yes", "false"}
)


def is_account(value: str) -> bool:
    """An account number, alone or after a 'provider:' prefix."""
    return bool(_ACCOUNT.match(value))


def is_username(value: str) -> bool:
    """A login or a person's name: no address, number, code or placeholder. More
    letters than digits, one in lower case at least, not hex: 'DE123456701' (a VAT id),
    'XK-4821', 'c4ca-4238-a0b9' (a gift card) are codes, which `digits` masks."""
    text = value.strip()
    letters = sum(c.isalpha() for c in text)
    return (
        bool(_NAME.match(text))
        and text.lower() not in _NOBODY
        and letters >= MIN_LETTERS
        and letters > sum(c.isdigit() for c in text)
        and any(c.islower() for c in text)
        and not _HEX.match(text)
    )


@dataclass(frozen=True)
class Mixed:
    """What a column's sample held besides the form its rule masks."""

    rule: str  # the column's proposed strategy: email, phone or digits
    numbers: int = 0  # account numbers ('google:<sub>')
    phones: int = 0
    emails: int = 0
    names: int = 0  # distinct usernames
    uuids: int = 0  # an anonymous visitor's id beside signed-up users' addresses
    # at a JSON path: ids ('8', a cohort's) and domains ('@gmail.com', a filter's), kept
    kept: int = 0
    others: bool = True  # values of none of these forms (the default's)


def is_uuid(value: str) -> bool:
    """A UUID in its text form."""
    return _UUID.match(value.strip()) is not None


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
        uuids = sum(1 for v in others if is_uuid(v))
        found = Mixed(
            rule,
            numbers,
            phones,
            names=len(names) if many_names else 0,
            uuids=uuids if uuids >= max(MIN_MIXED, MIN_LOGIN_EMAILS * len(sample)) else 0,
        )
        return found if numbers + phones >= MIN_MIXED or found.names or found.uuids else None
    emails = sum(1 for v in sample if "@" in v)
    if emails >= MIN_MIXED or many_names:
        return Mixed(rule, emails=emails, names=len(names) if many_names else 0)
    return None


def login_emails(kind: str | None, rule: str, values: Sequence[str]) -> Mixed | None:
    """The addresses among a `hash`ed login column's sampled values, when they are a
    tenth of them at least (None otherwise: a stray address stays hashed)."""
    if kind != LOGIN_KIND or rule != "hash":
        return None
    sample = [v.strip() for v in values if v.strip()]
    emails = sum(1 for v in sample if _EMAIL.match(v))
    if emails >= max(MIN_MIXED, MIN_LOGIN_EMAILS * len(sample)):
        return Mixed(rule, emails=emails)
    return None


def held_ids(rule: str, values: Sequence[str]) -> Mixed | None:
    """Ids that are addresses, UUIDs and usernames (PostHog's distinct_id: a signed-up
    user's address, an anonymous visitor's UUID), in a column proposed `hash` or `lorem`
    for the addresses among them: addresses and UUIDs a tenth of the sample each at
    least, nearly every value one word (free text with addresses in it is no id) and an
    address, a UUID or a username."""
    if rule not in ID_RULES:
        return None
    sample = [v.strip() for v in values if v.strip()]
    least = max(MIN_MIXED, MIN_LOGIN_EMAILS * len(sample))
    emails = sum(1 for v in sample if _EMAIL.match(v))
    uuids = sum(1 for v in sample if is_uuid(v))
    words = sum(1 for v in sample if not any(c.isspace() for c in v))
    names = {v for v in sample if is_username(v)}
    rest = len(sample) - emails - uuids - sum(1 for v in sample if v in names)
    if emails < least or uuids < least or words < MIN_WORDS * len(sample):
        return None
    if rest > (1 - MIN_WORDS) * len(sample):
        return None  # phone numbers too (Chatwoot's source_id): email_switch.py's
    return Mixed(rule, emails=emails, uuids=uuids, names=len(names))


_DOMAIN = re.compile(DOMAIN_PATTERN)
_ID = re.compile(r"^-?[0-9]+$")


def held_at_path(values: Sequence[str]) -> Mixed | None:
    """The other forms among the sampled values of a JSON path proposed `email`, ids and
    bare domains counted too (PostHog's filter `value` holds addresses, a cohort's id
    8, '@gmail.com' for `icontains`): `email` made each of them an address."""
    found = held("email", values)
    sample = [v.strip() for v in values if v.strip() and "@" not in v.strip()]
    kept = [v for v in sample if (_ID.match(v) and not is_account(v))]
    kept += [v.strip() for v in values if _DOMAIN.match(v.strip())]
    if found is None and len(kept) < MIN_MIXED:
        return None
    base = found or Mixed("email")
    listed = {v for v in sample if is_account(v) or is_phone(v) or _ID.match(v)}
    names = {v for v in sample if is_username(v)} if base.names else set()
    return replace(base, kept=len(kept), others=bool(set(sample) - listed - names))


def apply_mixed(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    mixed: Mapping[tuple[str, str], Mixed],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """`forms` for the columns whose sample held other forms than their rule masks: the
    rule (an email rule folded, unique: after the email passes) as its own form's case;
    and for the JSON paths proposed `email` whose sampled values are so mixed; in place.
    An address list (`lists: true`) stays as it is."""
    for (name, column), found in mixed.items():
        proposal = proposals.get(name, {}).get(column)
        if proposal is None or proposal.strategy != found.rule or proposal.params.get("lists"):
            continue
        table = catalog.tables[name]
        unique = column in table.unique_columns()
        ctx = column_context(table, table.columns[column], unique=unique)
        own = rule_value(proposal)
        params, seen = _forms_params(found, own, ctx, strategies)
        if not fits(strategies["forms"], params, ctx):
            continue
        forms = ColumnProposal(
            column,
            "forms",
            params,
            unique=proposal.unique,
            kind=proposal.kind,
            why=[
                *proposal.why,
                f"but the sample also held {seen}: each value masked by its "
                f"form ({_how(params, found)})",
            ],
        )
        proposals[name][column] = forms
        _follow_copies(catalog, proposals, f"{name}.{column}", own, forms, strategies)
    for name, columns in proposals.items():
        for proposal in columns.values():
            if proposal.strategy == "jsonb" and proposal.documents is not None:
                _json_paths(catalog.tables[name], proposal, strategies)


def _forms_params(
    found: Mixed, own: Any, ctx: ColumnContext, strategies: Mapping[str, Strategy[Any]]
) -> tuple[dict[str, Any], str]:
    """The `forms` parameters for what the sample held, and what it held, said."""
    cases: dict[str, Any] = {}
    seen = []
    if found.rule == "email":
        cases["email"] = own
        # ids and domains beside the addresses, nothing else: kept as they are
        default: Any = "keep" if found.kept and not found.others else "hash"
        if found.kept:
            seen.append(f"{found.kept} ids or bare domains ('8', '@gmail.com')")
    elif found.rule in ID_RULES and found.uuids:
        cases["email"] = with_unique(strategies["email"], {"strategy": "email"}, ctx.unique)
        seen.append(f"{found.emails} email addresses")
        default = "hash"
    else:
        cases["email"] = with_unique(strategies["email"], {"strategy": "email"}, ctx.unique)
        if found.emails:
            seen.append(f"{found.emails} email addresses")
        default = _as_case(own, strategies)  # a value of no form (an extension, 'n/a') as before
    if found.numbers:
        cases["number"] = dict(NUMBER_RULE)
        seen.append(f"{found.numbers} account numbers ('google:<id>')")
    elif found.kept and default != "keep":
        cases["number"] = "keep"  # a cohort's id beside usernames: an id still
    if found.phones:
        cases["phone"] = {"strategy": "phone", **({"unique": True} if ctx.unique else {})}
        seen.append(f"{found.phones} phone numbers")
    if found.uuids:
        cases["uuid"] = "keep"  # an anonymous visitor's random id: no one's
        seen.append(f"{found.uuids} UUIDs")
    if found.names:
        seen.append(f"{found.names} usernames")
        if found.rule in {"phone", "digits"}:
            cases["number" if found.rule == "digits" else "phone"] = own
    if found.names or found.uuids:
        # the same default for every id column, whether its sample met usernames or not
        default = _username_rule(strategies, cases, ctx) or default
    return {"cases": cases, "default": default}, " and ".join(seen)


def _as_case(rule: Any, strategies: Mapping[str, Strategy[Any]]) -> Any:
    """A column's rule as a case: `unique` only where the strategy has that switch (a
    unique hashed login's column-level `unique: true` is no parameter of `hash`)."""
    if (
        not isinstance(rule, dict)
        or "unique" in strategies[rule["strategy"]].params_model.model_fields
    ):
        return rule
    rest = {k: v for k, v in rule.items() if k != "unique"}
    return rest if len(rest) > 1 else rest["strategy"]


def _json_paths(
    table: Table, proposal: ColumnProposal, strategies: Mapping[str, Strategy[Any]]
) -> None:
    """The JSON paths proposed `email` whose sampled values held other forms too (a
    `login` key of addresses and usernames): `forms`, as a column so mixed gets."""
    read = proposal.documents
    assert read is not None
    paths = proposal.params.get("paths", {})
    column = table.columns[proposal.column]
    document = column_context(table, column, unique=column.name in table.unique_columns())
    ctx = path_context(document, "text")
    for path, rule in list(paths.items()):
        strategy = rule.get("strategy") if isinstance(rule, dict) else rule
        if strategy != "email" or (isinstance(rule, dict) and set(rule) - {"strategy", "unique"}):
            continue  # an address list, a folded address: as it is
        values = [v for p, vs in read.paths.items() if _names_path(path, p) for v in vs]
        if (found := held_at_path(values)) is None:
            continue
        params, seen = _forms_params(found, rule, ctx, strategies)
        new = {**proposal.params, "paths": {**paths, path: {"strategy": "forms", **params}}}
        if fits(strategies["forms"], params, ctx) and fits(strategies["jsonb"], new, document):
            paths = new["paths"]
            proposal.params = new
            proposal.why.append(
                f"{path}: but the sample also held {seen}: each value masked by its form "
                f"({_how(params, found)})"
            )


def _names_path(rule_path: str, sampled: str) -> bool:
    """Whether a rule's path ('people.*.login') names a sampled one ('people.0.login'),
    or an element of an array there ('people.0.login.1': the strategy masks each)."""
    want, got = path_parts(rule_path), path_parts(sampled)
    if len(got) == len(want) + 1 and got[-1].isdigit():
        got = got[:-1]
    return len(want) == len(got) and all(
        w == g or (w == "*" and g.isdigit()) for w, g in zip(want, got, strict=True)
    )


def _follow_copies(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    source: str,
    old: Any,
    forms: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """The columns and JSON paths copying the column (copies.py, cross_copies.py,
    json_copies.py gave them its rule, before this pass): its `forms` too, so equal
    values still agree (a username copied into an event's JSON)."""
    marker = f"a copy of {source} ("
    new = {"strategy": "forms", **forms.params}  # a path's rule has no `unique`
    for name, columns in proposals.items():
        table = catalog.tables[name]
        for column, proposal in columns.items():
            if proposal.strategy == "jsonb":
                paths = proposal.params.get("paths", {})
                for path, rule in list(paths.items()):
                    copied = any(w.startswith(f"{path}: {marker}") for w in proposal.why)
                    if copied and _same_rule(rule, old):  # its `unique` aside
                        paths[path] = new
                        proposal.why.append(f"{path}: `forms` like {source}, which it copies")
                continue
            if not _same_rule(rule_value(proposal), old) or not any(
                marker in w for w in proposal.why
            ):
                continue
            unique = column in table.unique_columns()
            ctx = column_context(table, table.columns[column], unique=unique)
            if fits(strategies["forms"], forms.params, ctx):
                columns[column] = ColumnProposal(
                    column,
                    "forms",
                    forms.params,
                    unique=proposal.unique,
                    kind=proposal.kind,
                    why=[*proposal.why, f"`forms` like {source}, which it copies"],
                )


def _same_rule(rule: Any, other: Any) -> bool:
    """Two column rules alike but for `unique` (a copy is not unique where its source is)."""

    def bare(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        rest = {k: v for k, v in value.items() if k != "unique"}
        return rest if len(rest) > 1 else rest["strategy"]

    return bool(bare(rule) == bare(other))


def _how(params: Mapping[str, Any], found: Mixed) -> str:
    """How each form is masked, for the proposal's comment."""
    cases = params["cases"]
    how = ["an address as an address"]
    if "number" in cases:
        how.append("a number's digits alike wherever the id is")
    if "phone" in cases or (found.rule == "phone" and not found.names):
        how.append("a phone number as a phone number")
    if found.uuids:
        how.append("a UUID kept")
    if found.names:
        how.append("a username as usernames are")
    elif found.uuids:
        how.append("any other value as usernames are")
    elif found.rule == "email" and found.kept and not found.others:
        how.append("ids and bare domains kept")
    elif found.rule == "email":
        how.append("any other value hashed")
    else:
        how.append(f"any other value by `{found.rule}` as before")
    return ", ".join(how)


def _username_rule(
    strategies: Mapping[str, Strategy[Any]], cases: Mapping[str, Any], ctx: ColumnContext
) -> dict[str, Any] | None:
    """The first rule rules init proposes for a column of usernames that fits as the
    default of these cases."""
    for strategy, raw in of_kind("username"):
        rule = {"strategy": strategy, **with_unique(strategies[strategy], raw, ctx.unique)}
        if fits(strategies["forms"], {"cases": cases, "default": rule}, ctx):
            return rule
    return None
