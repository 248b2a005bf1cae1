"""Fields of a key/value table keyed by ids into a table of field definitions.

Moodle's mdl_user_info_data.data was switched on `fieldid` for 'Date of birth' and
'Emergency contact' only: 'Student number' ('202300010') and 'LinkedIn profile'
('https://www.linkedin.com/in/anna-schmidt-103') were kept, since neither name said
anything to the column rules, and a field the sample missed was kept by the switch's
default. Each field is judged now by every name its definition gives (Moodle's
`name` 'LinkedIn profile', then its `shortname` 'linkedin', an account at a service
as handles.py knows them) and by its sampled values; a field defined but not sampled
is judged by its names alone. A field named for a number whose values are distinct
codes (DHIS2's 'TB number') gets `digits` (eav_numbers.py). In a table about people,
the fields judged not personal are listed as `keep` cases and the `default`, for
fields defined after the sample, is `hash`, not a silent keep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import eav_numbers, handles, pii
from dbrefresh.rules.eav_json import judge_key
from dbrefresh.rules.eav_name_parts import name_parts
from dbrefresh.rules.fitting import column_context
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.base import Strategy

# Columns of a table of fields naming each field, beside the label the key is read by
NAME_COLUMNS = ("shortname", "name", "code", "label", "field_name", "key", "slug", "identifier")
MAX_FIELDS = 1_000  # field definitions read
DEFAULT = "hash"


def field_names(
    conn: psycopg.Connection[Any], named_by: tuple[Table, str, str]
) -> dict[str, list[str]]:
    """Per field id, the names the definitions table gives it (its label first)."""
    fields, label, ident = named_by
    names = [label, *(c for c in NAME_COLUMNS if c in fields.columns and c != label)]
    names = [c for c in names if fields.columns[c].type.category == "S"]
    query = sql.SQL("SELECT {i}::text, {names} FROM ONLY {f} ORDER BY 1 LIMIT {n}").format(
        i=sql.Identifier(ident),
        names=sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in names),
        f=sql.Identifier(fields.schema, fields.name),
        n=sql.Literal(MAX_FIELDS),
    )
    return {
        str(row[0]): [str(n) for n in row[1:] if n]
        for row in sampled_rows(conn, query)
        if row[0] is not None
    }


def add_unsampled(
    by_key: dict[str, tuple[set[str], list[str]]], names: Mapping[str, list[str]]
) -> None:
    """Defined fields the sample did not meet, under their label, with no values."""
    sampled = {key for ids, _ in by_key.values() for key in ids}
    for key, given in names.items():
        if key not in sampled and given:
            by_key.setdefault(given[0], (set(), []))[0].add(key)


def judge_field(
    table: Table,
    names: Sequence[str],
    value: Column,
    values: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """The rule for one field's values: judged under each of its names in turn, then as
    an account at a service or a person's web address (handles.py)."""
    first = judge_key(table, names[0], value, values, strategies)
    if first.masked or value.type.is_json:
        return first
    for name in dict.fromkeys(names[1:]):
        judged = judge_key(table, name, value, values, strategies)
        if judged.masked:
            judged.why.insert(0, f"as `{name}`")
            return judged
    for name in dict.fromkeys(names):
        as_column = Column(name, value.num, value.type, False, generated=False, identity="")
        ctx = column_context(table, as_column, unique=False)
        if (found := handles.proposal_for(ctx, values, strategies)) is not None:
            return found
    for name in dict.fromkeys(names):  # DHIS2's 'TB number' 'TB-2021-1001'
        number = eav_numbers.number_field(name, values, table.name)
        if number is not None and value.type.category == "S" and "digits" in strategies:
            return ColumnProposal(value.name, "digits", {}, kind=eav_numbers.KIND, why=[number])
    # HAPI's `name` index: a family name in one row, a given name in the next
    return name_parts(table, value, values, strategies) or first


def people_default(table: Table, value: Column) -> bool:
    """Whether the switch lists its kept fields and masks the others by `hash`: a text
    value of a table about people."""
    return (
        pii.about_people(pii.normalize(table.name))
        and not value.type.is_json
        and value.type.category == "S"
    )
