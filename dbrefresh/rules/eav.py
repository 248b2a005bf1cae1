"""Key/value tables in `rules init`: the value column judged key by key (a `switch`).

wp_usermeta's meta_value is a first name in one row and 'true' in the next: judged as
one column, it was proposed `keep` (names and all) when no kind reached its threshold,
or a name strategy for every row (flags and phone numbers too) when names did. A table
with a key column and a value column named as such pairs are (meta_key and meta_value,
option_name and option_value, key and value...) has its value column sampled per key:
each key is judged as a column named after it would be (by the key's name and its
values), and the keys found personal become cases of a `switch` rule. A key that is an
id (attribute_id, a foreign key to a table of attributes) is named by that table's
name or code column (`firstname` for 5): the rule's cases are the ids, each noted
with its name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Column, Table
from dbrefresh.rules import eav_kinds, eav_tags, field_tables, key_families, network_settings, pii
from dbrefresh.rules.business_keys import codes_rule, replaces
from dbrefresh.rules.eav_fields import (
    DEFAULT,
    add_unsampled,
    field_names,
    judge_field,
    people_default,
)
from dbrefresh.rules.eav_json import MAX_JSON_CHARS
from dbrefresh.rules.eav_prefixed import prefixed_pairs
from dbrefresh.rules.eav_refs import undeclared_key_value
from dbrefresh.rules.eav_shape import shaped_key_value
from dbrefresh.rules.eav_tokens import token_case
from dbrefresh.rules.eav_typed import bare, number_case, typed_pairs
from dbrefresh.rules.eav_types import field_types, label_text, typed_case
from dbrefresh.rules.eav_unique import injective_case, unique_attribute_ids
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.safe_cases import unmet_masked
from dbrefresh.rules.sample import sample_clause, sampled_rows
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.switch import literal_key

# (key column, value column) names, as applications spell the pair
PAIRS = (
    ("meta_key", "meta_value"),
    ("option_name", "option_value"),
    ("setting_name", "setting_value"),
    ("setting_key", "setting_value"),
    ("config_key", "config_value"),
    ("configkey", "configvalue"),  # Nextcloud's oc_preferences, oc_appconfig
    ("path", "value"),  # Magento's core_config_data
    ("attribute_name", "attribute_value"),
    ("field_name", "field_value"),
    ("property_name", "property_value"),
    # Camunda's act_hi_op_log: the changed `property_`, its `org_value_` and `new_value_`
    ("property", "new_value"),
    # Redmine's journal_details: `property` says 'attr' or 'cf', `prop_key` which one
    ("prop_key", "value"),
    ("key", "value"),
    ("name", "value"),
    ("attribute", "value"),
    ("field", "value"),
    ("setting", "value"),
    ("property", "value"),
    # Matrix's user_threepids: `medium` says 'email' or 'msisdn' (a phone number)
    ("medium", "address"),
    ("channel", "address"),
    ("k", "v"),  # OpenStreetMap's tags: only contact keys masked (eav_tags.py)
)
# Value columns of tables whose key is an id into a table of attributes, and the
# columns naming an attribute there
# (pretix's pretixbase_questionanswer.answer, keyed by question_id: eav_types.py)
VALUE_NAMES = ("value", "meta_value", "option_value", "attribute_value", "field_value", "answer")
LABEL_NAMES = (
    "code",
    "attribute_code",
    "name",
    "key",
    "field_name",
    "label",
    "slug",
    "question",
    "identifier",
)
SAMPLE_ROWS = 20  # times the usual sample, spread over many keys
PER_KEY = 200  # values judged per key
MAX_CASES = 100
MAX_CHARS = 500


@dataclass(frozen=True)
class KeyValue:
    """How a key/value table is read: its key (the rule's `by`), its value, and, for a
    key that is an id, the attribute table naming it (table, label column, id column)."""

    key: Column
    value: Column
    named_by: tuple[Table, str, str] | None = None
    by_kind: bool = False  # the key names the kind of contact each row holds (eav_kinds.py)
    families: bool = False  # keys grouped in families, pattern cases (key_families.py)


def key_value_columns(catalog: Catalog, table: Table) -> KeyValue | None:
    """The key and value columns of a key/value table, if it is one."""
    text = {
        bare(c.name): c
        for c in table.columns.values()
        if c.type.category == "S" and not c.type.is_array and not c.generated
    }
    # a value column may hold JSON (Listmonk's settings.value jsonb): eav_json.py
    values = text | {
        bare(c.name): c for c in table.columns.values() if c.type.is_json and not c.generated
    }
    for key, value in PAIRS:
        if key in text and value in values:
            return KeyValue(text[key], values[value])
    value_column = next((values[v] for v in VALUE_NAMES if v in values), None)
    if value_column is None:
        return None
    for fk in catalog.keys_from(table.qualified):
        key_column = table.columns[fk.columns[0]]
        attributes = catalog.tables.get(fk.ref_table)
        if len(fk.columns) != 1 or key_column.type.category != "N" or attributes is None:
            continue
        labels = [c for c in LABEL_NAMES if c in attributes.columns]
        if (
            labels
            and attributes.columns[labels[0]].type.category == "S"
            and _ATTRIBUTE_TABLES.search(attributes.name.lower())
        ):
            return KeyValue(key_column, value_column, (attributes, labels[0], fk.ref_columns[0]))
    return None


# Tables whose rows name attributes (not users or products: notes.value beside an
# author_id is no key/value table)
_ATTRIBUTE_TABLES = re.compile(r"attribute|field|propert|option|setting|param|meta|key|question")


def propose_switches(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    table: Table,
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
    wholes: Mapping[str, ColumnProposal] | None = None,
) -> list[ColumnProposal]:
    """`switch` rules for the value columns of a key/value table whose keys hold
    personal data: one, or one per value column of a prefixed pair (eav_prefixed.py).
    `wholes`: each column's rule judged as a whole, for keys the sample did not meet."""
    whole = wholes or {}
    if field_tables.lists_choices(pii.normalize(table.name)):
        return []  # Baserow's select options: a field's choices, not its rows' values
    if stored := key_families.store_pairs(table):  # NodeBB's legacy_zset(_key, value)
        pairs = [KeyValue(k, v, families=True) for k, v in stored]
        switches = (propose_switch(conn, table, pair, strategies, rows) for pair in pairs)
        return [switch for switch in switches if switch is not None]
    found = key_value_columns(catalog, table)
    if found is None and (typed := typed_pairs(table)):  # Camunda's act_ru_variable
        switches = (
            propose_switch(conn, table, KeyValue(*p), strategies, rows, whole.get(p[1].name))
            for p in typed
        )
        return [switch for switch in switches if switch is not None]
    if found is None and (undeclared := undeclared_key_value(conn, catalog, table, LABEL_NAMES)):
        found = KeyValue(*undeclared)  # Moodle's fieldid: no foreign key (eav_refs.py)
    if found is None and (shaped := shaped_key_value(conn, catalog, table)):
        found = KeyValue(*shaped)  # Firefly III's account_meta(name, data): eav_shape.py
    found = _by_contact_kind(conn, table, found)  # Tryton's `type`, not its `name` label
    pairs = [found] if found is not None else [KeyValue(*p) for p in prefixed_pairs(table)]
    switches = (
        propose_switch(conn, table, pair, strategies, rows, whole.get(pair.value.name))
        for pair in pairs
    )
    return [switch for switch in switches if switch is not None]


def _by_contact_kind(
    conn: psycopg.Connection[Any], table: Table, found: KeyValue | None
) -> KeyValue | None:
    """The pair keyed by the column naming each row's kind of contact, when the table
    has one beside its value (eav_kinds.py): a free label as the key kept every value
    under a label the sample did not meet."""
    if found is not None and (found.named_by is not None or found.key.name in _unique(table)):
        return found  # keyed by an attribute id, or one row per key: a real key
    value = found.value if found is not None else eav_kinds.contact_value(table)
    if value is None or value.type.is_json:
        return found
    skip = frozenset({found.key.name}) if found is not None else frozenset()
    kind = eav_kinds.kind_column(conn, table, value, skip)
    return KeyValue(kind, value, by_kind=True) if kind is not None else found


def _unique(table: Table) -> frozenset[str]:
    return frozenset(table.unique_columns())


def propose_switch(
    conn: psycopg.Connection[Any],
    table: Table,
    found: KeyValue,
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
    whole: ColumnProposal | None = None,
) -> ColumnProposal | None:
    """A `switch` rule for the value column of a key/value table, when some of its keys
    hold personal data (None otherwise). It replaces whatever the column got as a whole
    (a majority of first names made every value, 'true' flags included, a first name);
    that rule (`whole`) masks the keys the sample did not meet, when it masks."""
    names: dict[str, list[str]] = {}
    types: dict[str, str] = {}
    type_column = ""
    try:
        by_key = _sample(conn, table, found, rows * SAMPLE_ROWS)
        sampled = len(by_key)
        if found.named_by is not None:  # Moodle's shortname beside its name (eav_fields.py)
            names = field_names(conn, found.named_by)
            add_unsampled(by_key, names)
            type_column, types = field_types(conn, found.named_by)  # pretix's question types
    except psycopg.Error:  # a timeout, no right: the column keeps its whole-column rule
        return None
    value = found.value
    regrouped = found.named_by is None and (found.families or len(by_key) > MAX_CASES)
    if regrouped:
        by_key = key_families.regroup(by_key)  # 'uid:5:ip', 'uid:6:ip' -> 'uid:*:ip'
        value = key_families.element_column(value)  # a list's elements are judged
    unique_ids = unique_attribute_ids(conn, found.named_by) if found.named_by else frozenset()
    tags = eav_tags.map_tags(table, found.key.name, found.value.name)
    cases: dict[str, Any] = {}
    typed_notes: list[str] = []
    kept: list[str] = []
    unsure: list[str] = []
    reasons: list[str] = []
    for name in sorted(by_key)[: MAX_CASES * 10]:
        ids, values = by_key[name]
        given = [name, *(n for key in sorted(ids) for n in names.get(key, ())[1:])]
        if regrouped:
            given = key_families.names_of(name)  # 'uid:*:emails': emails, then uid
        if ids == {name} and names.get(name):  # no label: sampled by its id, named so
            given = [*names[name], name]
        given = [label_text(n) for n in given]  # pretix's '{"en": "Phone"}'
        proposal = judge_field(table, given, value, values, strategies)
        declared = {types[key] for key in ids if key in types}
        if len(declared) == 1 and (
            typed := typed_case(declared.pop(), proposal, values, strategies)
        ):
            typed_notes.append(
                f"{', '.join(sorted(ids, key=_id_order))} ({given[0]}): "
                f"{'; '.join(typed.why)} -> {typed.strategy}"
            )
            proposal = typed
        proposal = token_case(table, value, proposal, values, strategies)  # HAPI's tokens
        proposal = network_settings.setting_case(proposal, values)  # bind 0.0.0.0
        proposal = network_settings.version_case(given[0], proposal)  # '6.8.0.0'
        if value.type.category == "S" and (codes := codes_rule(value.name, values, unique=False)):
            proposal = codes if replaces(proposal, codes) else proposal  # businessKey
        proposal = number_case(given[0], value, values, proposal)  # Camunda's epoch dates
        if tags and proposal.masked and not eav_tags.contact_key(name):
            proposal = ColumnProposal(value.name, why=["a map tag: public"])  # OSM's name=
        flagged = bool(ids) and ids <= unique_ids  # DHIS2's uniquefield attributes
        proposal = injective_case(table, value, proposal, strategies, flagged=flagged)
        if found.families and proposal.masked and key_families.all_ids(values):
            proposal = ColumnProposal(value.name, why=["its values are ids or numbers"])
        if found.families:  # 'email:uid' holds lower(email): masked alike, folded
            proposal = key_families.folded_emails(proposal, values)
            proposal = key_families.suffix_note(proposal, values)  # 'anna@x.org:5'
        if found.families and not proposal.masked and key_families.unclassified(values):
            unsure.append(key_families.unsure_family(name, proposal))
        if proposal.masked and len(cases) < MAX_CASES:
            for key in sorted(ids):  # a key from data matches only itself ('a*b')
                cases[key if regrouped else literal_key(key)] = rule_value(proposal)
            named = f"{', '.join(sorted(ids))} ({given[0]})" if found.named_by else name
            reasons.append(f"{named}: {'; '.join(proposal.why)}")
        elif not proposal.masked:
            kept.extend(ids)
    if not cases:
        return None
    by = found.key.name
    named_by = ""
    if found.named_by is not None:
        named_by = f" (named by {found.named_by[0].qualified}.{found.named_by[1]})"
    params: dict[str, Any] = {"by": by, "cases": key_families.ordered(cases)}
    unmet = (
        f"REVIEW: keys the sample did not meet are kept ({sampled} sampled); list "
        "every key (`keep` for the others) with `default: fail` to refuse new ones"
    )
    if found.by_kind:  # every kind of contact is someone's: none kept unseen
        params["default"] = DEFAULT
        unmet = (
            f"{by} names the kind of contact each row holds ({sampled} sampled): kinds the"
            f" sample did not meet get `{DEFAULT}`; `default: fail` refuses new ones"
        )
    if (
        found.named_by is not None
        and people_default(table, value)
        and len(cases) + len(kept) <= MAX_CASES
    ):
        cases.update((key, "keep") for key in kept)
        params["cases"] = {key: cases[key] for key in sorted(cases, key=_id_order)}
        params["default"] = DEFAULT
        unmet = (
            f"REVIEW: fields judged not personal are listed as `keep` ({len(names)} defined,"
            f" {sampled} sampled); in a table about people a field defined later gets"
            f" `{DEFAULT}` (`default`); `default: fail` refuses new ones"
        )
    elif (
        whole is not None
        and not tags  # OSM's tags are public: a tag the sample missed stays
        and value.type.category == "S"  # Camunda's long_ as a whole: a longitude's noise
        and unmet_masked(params, kept, whole, MAX_CASES, _id_order)
    ):
        unmet = (
            f"REVIEW: keys judged not personal are listed as `keep` ({sampled} sampled); keys"
            f" the sample did not meet get the column's rule as a whole ({whole.strategy},"
            " `default`); `default: fail` refuses new ones"
        )
    review: list[str] = []
    if typed_notes and found.named_by is not None:
        review = [
            f"REVIEW: cases by {found.named_by[0].qualified}.{type_column}: "
            + ", ".join(typed_notes)
        ]
    return ColumnProposal(
        value.name,
        "switch",
        params,
        kind="key_value",
        why=[
            f"a key/value table: {value.name} judged per {by}{named_by}",
            *reasons,
            *review,
            *([eav_tags.NOTE] if tags else []),
            *key_families.unsure_note(unsure),
            unmet,
        ],
    )


def _id_order(key: str) -> tuple[int, str]:
    """Numeric ids in numeric order, others after them."""
    return (int(key), "") if key.isdigit() else (1 << 62, key)


def previous_value_rule(table: Table, switch: ColumnProposal) -> ColumnProposal | None:
    """The same `switch` for the value a change replaced (Redmine's journal_details
    .old_value beside value): its key is the row's too, so its kind is the same, where
    judged as one column a few notes made every status id lorem."""
    value, tail = bare(switch.column), switch.column[len(switch.column.rstrip("_")) :]
    base = value.removeprefix("new_")  # Camunda's new_value_ beside org_value_
    olds = (f"old_{base}", f"previous_{base}", f"{base}_old", f"org_{base}", f"original_{base}")
    for name in (f"{n}{tail}" for n in olds):
        column = next((c for c in table.columns.values() if c.name.lower() == name), None)
        if column is not None and column.type.category == "S" and not column.generated:
            return ColumnProposal(
                column.name,
                "switch",
                copy.deepcopy(switch.params),
                kind="key_value",
                why=[
                    f"the value before a change, keyed by {switch.params['by']} like "
                    f"{switch.column}: masked alike"
                ],
            )
    return None


def _sample(
    conn: psycopg.Connection[Any], table: Table, found: KeyValue, rows: int
) -> dict[str, tuple[set[str], list[str]]]:
    """Per key name: the keys (the ids naming it, or the key itself) and up to PER_KEY
    values met in a sample of about `rows` rows (pages across a large table): rows
    stored key by key would fill a plain LIMIT with the first keys."""
    key, value = (
        sql.Identifier("_dbr_t", found.key.name),
        sql.Identifier("_dbr_t", found.value.name),
    )
    name: sql.Composable = sql.SQL("{}::text").format(key)
    join: sql.Composable = sql.SQL("")
    if found.named_by is not None:
        attributes, label, ref = found.named_by
        # a field without a label (DHIS2's attributes whose `code` is NULL) by its id:
        # dropped, its values went unsampled and it was judged by its names alone
        name = sql.SQL("COALESCE({}::text, {}::text)").format(sql.Identifier("_dbr_a", label), key)
        join = sql.SQL(" JOIN ONLY {a} AS _dbr_a ON {r} = {k}").format(
            a=sql.Identifier(attributes.schema, attributes.name),
            r=sql.Identifier("_dbr_a", ref),
            k=key,
        )
    if found.value.type.is_array:  # a list's elements (NodeBB's legacy_list.array)
        join = sql.SQL("{} CROSS JOIN LATERAL unnest({}) AS _dbr_e(e)").format(join, value)
        value = sql.Identifier("_dbr_e", "e")
    query = sql.SQL(
        "SELECT n, k, v FROM (SELECT {name} AS n, {key}::text AS k, left({v}::text, {chars}) AS v,"
        " row_number() OVER (PARTITION BY {name}) AS i FROM {only}{t} AS _dbr_t{sample}{join}"
        " WHERE {key} IS NOT NULL AND {v} IS NOT NULL) s WHERE n IS NOT NULL AND i <= {per_key}"
    ).format(
        name=name,
        key=key,
        v=value,
        chars=sql.Literal(MAX_JSON_CHARS if found.value.type.is_json else MAX_CHARS),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows),
        join=join,
        per_key=sql.Literal(PER_KEY),
    )
    grouped: dict[str, tuple[set[str], list[str]]] = {}
    for label, key_text, text in sampled_rows(conn, query):
        ids, values = grouped.setdefault(str(label), (set(), []))
        ids.add(str(key_text))
        values.append(str(text))
    return grouped
