"""vCards and iCalendar objects in a text or bytea column, in `rules init`.

Roundcube's contacts.vcard, SOGo's c_content and Nextcloud's oc_cards.carddata and
oc_calendarobjects.calendardata (bytea, judged here once decoded) were judged free text
and got `lorem`: no value started with BEGIN:VCARD or BEGIN:VCALENDAR any more, and the
applications could not parse their contacts and events. A column whose every sampled
value is one gets `vcard`, which masks property by property and keeps the structure.
Narrow evidence: every non-blank sampled value must start with BEGIN:VCARD or
BEGIN:VCALENDAR (a log line or a template merely mentioning one does not). A column of
vCard templates ('FN:{{ contact.full_name }}', an export feature's) holds no person:
`vcard` made its placeholders names and phones, and every export broke. When half or
more of the sampled values hold template placeholders ({{ }}, {% %}, ${...}, %s,
%(name)s, [[...]]), the column gets no `vcard` rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.rule_alike import containers

VCARD, EMAIL, XML = "vcard", "email", "xml"
STARTS = ("BEGIN:VCARD", "BEGIN:VCALENDAR")
# A template's placeholder (Jinja, Twig, Django, JS/shell, printf, wiki-style): base64
# photos hold none of these characters, and URL escapes are % and two hex digits
_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\$\{[^}\r\n]*\}|%s|%\([a-z_][a-z0-9_.]*\)s|\[\[[^\]\r\n]*\]\]",
    re.IGNORECASE,
)
TEMPLATE_SHARE = 0.5  # of the sampled vCards holding placeholders, for a column of templates


def templates(values: Sequence[str] | None) -> bool:
    """Whether half or more of the non-blank values hold template placeholders."""
    sample = [v for v in values or () if v.strip()]
    found = sum(_PLACEHOLDER.search(v) is not None for v in sample)
    return bool(sample) and found >= TEMPLATE_SHARE * len(sample)


def held(values: Sequence[str] | None) -> int:
    """How many sampled values are vCards or iCalendar objects, when every non-blank
    one is (0 otherwise)."""
    sample = [v.lstrip("\ufeff \t\r\n") for v in values or () if v.strip()]
    if not sample or not all(v[:15].upper().startswith(STARTS) for v in sample):
        return 0
    return len(sample)


def proposal(column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """The `vcard` rule for a column of vCards or iCalendar objects, else None."""
    count = held(values)
    if not count or templates(values):
        return None
    kinds = sorted(
        {
            "vCards" if v.lstrip()[:11].upper() == "BEGIN:VCARD" else "iCalendar objects"
            for v in values or ()
            if v.strip()
        }
    )
    return ColumnProposal(
        column.name,
        VCARD,
        kind=VCARD,
        why=[
            f"{count} sampled values are {' and '.join(kinds)}: each property masked as its "
            "kind (names, addresses, phones, notes), the structure, UIDs and dates kept"
        ],
    )


def align_emails(proposals: Mapping[str, Mapping[str, ColumnProposal]]) -> None:
    """Each `vcard` rule's `email` parameters, and an `xml` rule's address elements', as
    the email rules' (after those are aligned: rule_alike.py, email_alike.py): SOGo's
    c_orgmail and c_partmails got `unique: true` beside a unique login, and an
    attendee's mailto: address, masked plain, no longer matched them."""
    emails = list(_email_rules(proposals))
    unique = any(rule.get("unique") for rule in emails)
    fold = bool(emails) and all(rule.get("fold_case") for rule in emails)
    wanted = {k: True for k, on in (("unique", unique), ("fold_case", fold)) if on}
    if not wanted:
        return
    said = ", ".join(f"{k}: true" for k in wanted)
    for columns in proposals.values():
        for proposal in columns.values():
            if proposal.strategy == XML:
                _align_elements(proposal, wanted, said)
            if proposal.strategy == VCARD and proposal.params.get("email") != wanted:
                proposal.params["email"] = dict(wanted)
                proposal.why.append(
                    f"email: {said} like the email rules, so an address in it masks as "
                    "it does in an email column"
                )


def _align_elements(proposal: ColumnProposal, wanted: Mapping[str, bool], said: str) -> None:
    """An `xml` rule's address elements and attributes (not `within` ones), and its
    JSON `others`' address paths, with the email rules' parameters, so ODK's or Axon's
    <email> and a <contact email="..."> mask as the email column does."""
    others = proposal.params.get("others")
    paths = others.get("paths", {}) if isinstance(others, dict) else {}
    elements, attributes = (
        proposal.params.get("elements", {}),
        proposal.params.get("attributes", {}),
    )
    for rules in (elements, attributes, paths):
        for name, rule in rules.items():
            if rule == EMAIL or rule == {"strategy": EMAIL}:
                rules[name] = {"strategy": EMAIL, **wanted}
                proposal.why.append(f"{name}: {said} like the email rules")


def _email_rules(
    proposals: Mapping[str, Mapping[str, ColumnProposal]],
) -> Iterator[Mapping[str, Any]]:
    """The parameters of every email rule: columns', JSON paths', switch cases'."""
    for columns in proposals.values():
        for proposal in columns.values():
            if proposal.strategy == EMAIL:
                yield {
                    **proposal.params,
                    "unique": proposal.params.get("unique") or proposal.unique,
                }
            for rules in containers(proposal.params):
                for rule in rules.values():
                    if rule == EMAIL:
                        yield {}
                    elif isinstance(rule, dict) and rule.get("strategy") == EMAIL:
                        yield rule
