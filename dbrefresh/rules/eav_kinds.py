"""The key of a key/value table's switch: the column naming the value's kind, not a label.

Tryton's party_contact_mechanism(type, value, name) keeps a contact per row: `type`
says what `value` holds ('email', 'phone', 'skype'), `name` is a free label (NULL, '',
'Support', a first name). The pair (name, value) made `name` the switch's key: about
100 first names became cases, and every other name (NULL too) kept its value: 4361 of
7547 addresses and numbers survived. A column named as a kind (type, kind, category,
medium, channel) whose sampled values are few and mostly kinds of contact ('email',
'phone', 'url', a messenger) is the key instead: each kind masked as a column of it
would be. A settings table's `type` ('string', 'boolean': how its value is stored)
names no kind of contact, nor do a form's input types when contacts are half of them or
fewer ('text', 'email', 'url', 'boolean'): the pair's own key stays the key there.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import handle_kinds
from dbrefresh.rules.sample import sample_clause, sampled_rows

# names of a column telling what kind of value a row holds
_KIND_NAME = re.compile(r"(^|_)(type|kind|category|medium|channel|mechanism)_?$")
_KIND_TYPES = frozenset({"text", "varchar", "bpchar"})
# value column names a contact table spells (beside PAIRS' keys: eav.py)
VALUE_NAMES = ("value", "address", "contact", "data", "handle")
_CONTACT_WORDS = (
    "email e_mail mail phone telephone tel mobile cell cellphone fax sms msisdn whatsapp "
    "signal pager voip sip irc url uri website web homepage www blog im"
)
CONTACT_KINDS = frozenset(_CONTACT_WORDS.split()) | handle_kinds.SERVICES | handle_kinds.URLS
ROWS = 5_000  # sampled rows
MAX_KINDS = 20  # distinct kinds in the sample
MIN_CONTACT_KINDS = 2  # distinct kinds of contact among them
CONTACT_SHARE = 0.5  # of the distinct kinds, exceeded: a form's ('text', 'email', 'url',
# 'boolean') declares how a setting is typed in, not whose contact it holds


def is_contact_kind(kind: str) -> bool:
    """Whether a kind's name ('E-Mail', 'phone_number'?) names a kind of contact."""
    norm = re.sub(r"[^a-z0-9]+", "_", kind.lower()).strip("_")
    return norm in CONTACT_KINDS or any(w in CONTACT_KINDS for w in norm.split("_") if w)


def kind_column(
    conn: psycopg.Connection[Any], table: Table, value: Column, skip: frozenset[str]
) -> Column | None:
    """The column of `table` whose values name the kind of contact `value` holds, if
    one does (none of `skip`)."""
    unique = table.unique_columns()
    for column in sorted(table.columns.values(), key=lambda c: c.num):
        if (
            column.name in skip
            or column.name == value.name
            or not _KIND_NAME.search(column.name.lower())
            or not (column.type.base in _KIND_TYPES or column.type.category == "E")
            or column.type.is_array
            or column.name in unique
        ):
            continue
        try:
            kinds = _kinds(conn, table, column, value)
        except psycopg.Error:  # a timeout, no right: the pair's key stays
            return None
        contacts = [k for k in kinds if is_contact_kind(k)]
        if (
            2 <= len(kinds) <= MAX_KINDS
            and len(contacts) >= MIN_CONTACT_KINDS
            and len(contacts) > CONTACT_SHARE * len(kinds)
        ):
            return column
    return None


def contact_value(table: Table) -> Column | None:
    """A text column named as a contact table's value column, if the table has one."""
    text = {
        c.name.lower(): c
        for c in table.columns.values()
        if c.type.category == "S" and not c.type.is_array and not c.generated
    }
    return next((text[n] for n in VALUE_NAMES if n in text), None)


def _kinds(conn: psycopg.Connection[Any], table: Table, kind: Column, value: Column) -> list[str]:
    """The distinct kinds of the sampled rows holding a value (up to MAX_KINDS + 1)."""
    query = sql.SQL(
        "SELECT DISTINCT k FROM (SELECT {k}::text AS k FROM {only}{t}{sample}"
        " WHERE {k} IS NOT NULL AND {v} IS NOT NULL LIMIT {rows}) s LIMIT {kinds}"
    ).format(
        k=sql.Identifier(kind.name),
        v=sql.Identifier(value.name),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, ROWS),
        rows=sql.Literal(ROWS),
        kinds=sql.Literal(MAX_KINDS + 1),
    )
    return [str(k) for (k,) in sampled_rows(conn, query)]
