"""verify's one-line summary, saying which foreign keys it re-checked and why not all.

verify re-scans only the keys masking could break (rules/fkrisk.py: a masked key
column, or rows deleted from the referenced table); the others hold as they held
before. The summary said "0 foreign key(s) checked" on a database with dozens of keys
(masking names, keeping ids), which read as keys not found at all.
"""

from __future__ import annotations

from dbrefresh.anonymize.verify import VerifyReport


def summary(report: VerifyReport) -> str:
    """'N relation(s) checked, K of T foreign key(s) re-checked (...), L leak(s)', and
    how many kept columns verify_drift.py passed over as reviewed, if any."""
    keys = f"{report.foreign_keys_checked} of {report.foreign_keys_total} foreign key(s)"
    if report.foreign_keys_checked < report.foreign_keys_total:
        keys += (
            " re-checked (the others join no masked column and reference no table that "
            "lost rows, so masking cannot break them)"
        )
    else:
        keys += " re-checked"
    reviewed = (
        f", {report.kept_reviewed} kept column(s) reviewed (not judged for personal values)"
        if report.kept_reviewed
        else ""
    )
    return (
        f"{report.relations_checked} relation(s) checked, {keys}, {report.total_leaks} "
        f"leak(s){reviewed}"
    )
