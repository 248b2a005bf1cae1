"""An `admin` column of full names beside the table's masked email: the admin's name.

LimeSurvey's lime_surveys.admin is the survey administrator's name ('Jane Whitfield'),
shown to respondents and in e-mails, beside `adminemail`. With many surveys the values
counted as full names; on a small install with one survey the sample was too small,
and the name was kept while the address beside it was masked. A column named `admin`
or `administrator`, of text, whose sampled values are all two or three capitalised
words (the first a known first name), in a table where a column named
`<something>email` is masked as an email address, is proposed `full_name`. Pure logic
over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import pii, pii_values
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

ADMIN_NAMES = frozenset({"admin", "administrator"})
KIND = "full_name"
_FULL_NAME = re.compile(r"[^\W\d_][^\W\d_'.-]*(?:['-][^\W\d_]+)*(?: [^\W\d_][^\W\d_'.-]*){1,2}")


def mask_admin_names(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str] | None],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """Propose `full_name` for a kept `admin` column of names beside a masked email."""
    emails = [
        c
        for c, p in proposals.items()
        if p.kind == "email" and p.masked and pii.normalize(c).replace("_", "").endswith("email")
    ]
    if not emails:
        return
    for column, proposal in proposals.items():
        if proposal.masked or pii.normalize(column) not in ADMIN_NAMES:
            continue
        col = table.columns[column]
        if not col.type.is_text or col.type.is_array:
            continue
        values = [v.strip() for v in samples.get(column) or () if v.strip()]
        if not values or not all(_full_name(v) for v in values):
            continue
        unique = column in table.unique_columns()
        if not fits(strategies[KIND], {}, column_context(table, col, unique=unique)):
            continue
        proposals[column] = ColumnProposal(
            column,
            KIND,
            unique=unique,
            kind=KIND,
            why=[
                *proposal.why,
                f"`{column}` beside the email column `{emails[0]}`, and {len(values)} of "
                f"{len(values)} sampled values are capitalised words like a full name: "
                "the administrator's name",
            ],
        )


def _full_name(value: str) -> bool:
    """Two or three words, each capitalised, the first a known first name ('Jane
    Whitfield'; not 'Main Office')."""
    words = value.split(" ")
    return (
        _FULL_NAME.fullmatch(value) is not None
        and all(w[0].isupper() for w in words)
        and pii_values.is_first_name(words[0])
    )
