"""Free text mentioning people or their contacts too seldom for `pii_values.py`.

'Customer asked to be called back on +49 171 5550050' and 'Forwarded to
anna.schmidt1@kunde.example' in 4 % of a ticket journal's rows (under the 5 % that masks
free text) were kept without a word: 120 customers' contacts reached staging. An email
address or a phone number is personal beyond doubt (its detectors are strict, where a
name might be a brand), so many different ones (MIN_CONTACTS) mask the column whatever
their share, as a journal or ticket column mentions each customer once; fewer earn a
REVIEW note with the counts, as people named in a few rows do. One address on many rows
(a support desk's) counts once. Counts only, never a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbrefresh.rules import lookalikes, path_people, people_lines, phones, pii_values

MIN_CONTACTS = 10  # different contacts in a sample that mask free text whatever their share


@dataclass(frozen=True)
class Contacts:
    """The contacts a sample's values mention: counts only."""

    sampled: int
    rows: int  # values mentioning at least one
    different: int  # different addresses and numbers among them

    def counts(self) -> str:
        return (
            f"{self.rows} of {self.sampled} sampled values contain an email address or "
            f"phone number ({self.different} different)"
        )


def contacts_in(value: str) -> set[str]:
    """The email addresses (lower case) and phone numbers (digits) a value mentions,
    machine data aside (`lookalikes.py`)."""
    text = lookalikes.without_machine_data(value)
    return {m.lower() for m in pii_values.EMAIL.findall(text)} | phones.phones_in(text)


def count(values: Sequence[str]) -> Contacts:
    sample = [v for v in values if v.strip()]
    found = [contacts_in(v) for v in sample]
    return Contacts(len(sample), sum(1 for f in found if f), len(set().union(*found)))


def judge(values: Sequence[str]) -> tuple[str | None, list[str]]:
    """The kind to mask a text column as, judged by what its values mention too seldom
    for the value detectors (people named, contacts), with the reasons; or None with
    REVIEW notes (counts), or nothing."""
    kind, reasons = people_lines.judge(values)  # a full name in a third of the rows
    if kind is not None:
        return kind, reasons
    contacts = count(values)
    if contacts.different >= MIN_CONTACTS:
        share = f"{pii_values.EMBEDDED_THRESHOLD:.0%}"
        reason = f"{contacts.counts()}: under {share} of them, but too many contacts to keep"
        return "free_text", [reason]
    if not reasons and (named := pii_values.people_named_note(values)) is not None:
        reasons = [named]  # 'Spoke with John Smith' in a few tickets
    if contacts.rows:
        reasons.append(f"REVIEW: {contacts.counts()}, too few to mask: kept; `lorem` hides them")
    if (folders := path_people.note(values)) is not None:
        reasons.append(folders)  # '/upload/library/anna/2023/IMG_1.jpg'
    return None, reasons
