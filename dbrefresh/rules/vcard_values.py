"""vCards and iCalendar objects in a text or bytea column, in `rules init`.

Roundcube's contacts.vcard, SOGo's c_content and Nextcloud's oc_cards.carddata and
oc_calendarobjects.calendardata (bytea, judged here once decoded) were judged free text
and got `lorem`: no value started with BEGIN:VCARD or BEGIN:VCALENDAR any more, and the
applications could not parse their contacts and events. A column whose every sampled
value is one gets `vcard`, which masks property by property and keeps the structure.
Narrow evidence: every non-blank sampled value must start with BEGIN:VCARD or
BEGIN:VCALENDAR (a log line or a template merely mentioning one does not).
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules.proposal import ColumnProposal

STARTS = ("BEGIN:VCARD", "BEGIN:VCALENDAR")


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
    if not count:
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
        "vcard",
        kind="vcard",
        why=[
            f"{count} sampled values are {' and '.join(kinds)}: each property masked as its "
            "kind (names, addresses, phones, notes), the structure, UIDs and dates kept"
        ],
    )
