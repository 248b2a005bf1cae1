"""A full name composed of name parts kept in JSON, rebuilt from them in `rules init`.

pretix keeps `attendee_name_cached` 'Cheyenne Butler' beside `attendee_name_parts`
{"_scheme": "given_family", "given_name": "Cheyenne", "family_name": "Butler"};
Zitadel's `user.human.added` payload holds firstName, lastName and displayName. The
parts got first_name and last_name, the full name full_name, and afterwards the full
name matched its parts in no row ('Wiltrud Felisiak' beside Lilla / Fournier):
row_names.py rebuilds names from name columns only. Here a sample of rows reads the
documents of the row's JSON columns masked by `jsonb`, whose paths (no `*`) hold a
first and a last name (`first_name` and `last_name` alone; a middle name's path may sit
between), and compares their compositions ('{first} [{middle} ]{last}', '{first}
{last}', '{last}, {first}', '{last} {first}') with each text column of the row (kept,
or masked with a name or lorem) and each path of the same document masked with a name
or lorem. Equal in COMPOSED_SHARE of the sampled rows where it holds a non-blank value
and the parts hold one, it gets a template over the parts' paths
(template_sources.py: `{first_name:attendee_name_parts.given_name} ...`), so it equals
their masked values, with its old rule as `otherwise` where a part is missing (Zitadel's
profile changes carry lastName and displayName alone; pretix's 'full' scheme
full_name alone). Equal in fewer, but in MIN_ROWS rows or more: a REVIEW note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.row_names import COMPOSED_SHARE, MIN_ROWS, TARGETS
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.strategies.base import JSON_TYPES, Strategy
from dbrefresh.strategies.jsonb_pathsyntax import PathSyntaxError, is_wild, join_path, path_parts
from dbrefresh.strategies.template import parse_template

MAX_GROUPS = 4  # (first, last) pairs of paths per table
MAX_TARGETS = 20  # columns and paths compared per table
_MIDDLE = re.compile(r"middle", re.IGNORECASE)
FALLBACK = "full_name"  # `otherwise` of a kept column: it is a full name
Keys = tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A first and a last name's paths in one JSON column, and a middle name's."""

    column: str
    first: Keys
    last: Keys
    middle: tuple[Keys, str] | None  # its path and strategy


@dataclass(frozen=True)
class Target:
    """A column (path empty), or a path of a JSON column, that may be a composed name."""

    column: str
    path: str = ""


Values = Callable[[Keys], Any]
Form = tuple[str, Callable[[Values], str | None], str]  # label, composition, template


def compose_json_names(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """A template over the masked name parts in JSON for each name composing them."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        groups = _groups(table, columns)[:MAX_GROUPS]
        if not groups:
            continue
        targets = _targets(table, columns, groups)[:MAX_TARGETS]
        if not targets:
            continue
        found = _compare(conn, table, targets, groups, rows)
        for target, (group, form, equal, held) in found.items():
            _apply(table, columns, strategies, target, group, form, (equal, held))


def _groups(table: Table, columns: Mapping[str, ColumnProposal]) -> list[Group]:
    """The (first, last) pairs of each JSON column's paths, under one parent object."""
    out: list[Group] = []
    for column, proposal in sorted(columns.items()):
        if proposal.strategy != "jsonb" or not _document(table, column):
            continue
        by_role: dict[str, list[Keys]] = {"first_name": [], "last_name": [], "middle": []}
        strategy_of: dict[Keys, str] = {}
        for path, rule in sorted(proposal.params.get("paths", {}).items()):
            strategy = rule if isinstance(rule, str) else None
            if isinstance(rule, dict) and set(rule) == {"strategy"}:
                strategy = rule["strategy"]
            keys = _keys(path)
            if strategy not in ("first_name", "last_name") or keys is None:
                continue
            role = "middle" if _MIDDLE.search(keys[-1]) else strategy
            by_role[role].append(keys)
            strategy_of[keys] = strategy
        for first in by_role["first_name"]:
            for last in by_role["last_name"]:
                if first[:-1] != last[:-1]:
                    continue
                middles = [m for m in by_role["middle"] if m[:-1] == first[:-1]]
                middle = (middles[0], strategy_of[middles[0]]) if middles else None
                out.append(Group(column, first, last, middle))
    return out


def _targets(
    table: Table, columns: Mapping[str, ColumnProposal], groups: list[Group]
) -> list[Target]:
    """Text columns kept or masked with a name or lorem (not unique: masked names may
    collide), and paths of the groups' documents masked with a name or lorem."""
    documents = {g.column for g in groups}
    out = [
        Target(c)
        for c, p in sorted(columns.items())
        if p.strategy in TARGETS
        and c not in documents
        and table.columns[c].type.is_text
        and not table.columns[c].type.is_array
        and not table.columns[c].generated
        and c not in table.unique_columns()
    ]
    parts = {(g.column, k) for g in groups for k in (g.first, g.last)}
    for column in sorted(documents):
        for path, rule in sorted(columns[column].params["paths"].items()):
            strategy = rule if isinstance(rule, str) else rule.get("strategy")
            keys = _keys(path)
            if strategy in TARGETS and keys is not None and (column, keys) not in parts:
                out.append(Target(column, path))
    return out


def _compare(
    conn: psycopg.Connection[Any],
    table: Table,
    targets: list[Target],
    groups: list[Group],
    rows: int,
) -> dict[Target, tuple[Group, Form, int, int]]:
    """Per target composed (or noted): the group and form most rows equal, with how many
    of the rows holding the target and the group's parts."""
    read = sorted({t.column for t in targets} | {g.column for g in groups})
    query = sql.SQL("SELECT {c} FROM {s} AS _dbr_s").format(
        c=sql.SQL(", ").join(sql.SQL("CAST({} AS TEXT)").format(sql.Identifier(c)) for c in read),
        s=spread_sample(table, rows),
    )
    try:
        sample = [dict(zip(read, row, strict=True)) for row in sampled_rows(conn, query)]
    except psycopg.Error:  # no SELECT right, timeout: nothing composed
        return {}
    documents = {g.column for g in groups}
    parsed = [{c: _parsed(row[c]) if c in documents else row[c] for c in read} for row in sample]
    found: dict[Target, tuple[Group, Form, int, int]] = {}
    for target in targets:
        best: tuple[Group, Form, int, int] | None = None
        for group in groups:
            if target.path and group.column != target.column:
                continue
            for form in _forms(group):
                equal, held = _counts(parsed, target, group, form)
                if held >= MIN_ROWS and (best is None or equal > best[2]):
                    best = (group, form, equal, held)
        if best is not None and best[2] >= MIN_ROWS:
            found[target] = best
    return found


def _counts(
    sample: list[dict[str, Any]], target: Target, group: Group, form: Form
) -> tuple[int, int]:
    """(equal, held): the rows whose target holds a non-blank text and whose first and
    last names hold text, and those of them where it equals the composition."""
    equal = held = 0
    for row in sample:
        document = row[group.column]

        def at(keys: Keys, document: Any = document) -> Any:
            return _at(document, keys)

        value = row[target.column] if not target.path else _at(row[target.column], _path(target))
        if not isinstance(value, str) or not value.strip(" "):
            continue
        if not isinstance(at(group.first), str) or not isinstance(at(group.last), str):
            continue
        held += 1
        equal += value == form[1](at)
    return equal, held


def _forms(group: Group) -> list[Form]:
    """The compositions to compare, a middle name's first: where it is missing it
    composes as '{first} {last}' does, so it wins whenever middle names join in."""
    f, la = _spec(group.column, group.first), _spec(group.column, group.last)
    forms: list[Form] = []
    if group.middle is not None:
        middle, strategy = group.middle
        m = _spec(group.column, middle)

        def with_middle(at: Values) -> str:
            mid = at(middle)
            return f"{at(group.first)} {mid + ' ' if isinstance(mid, str) and mid else ''}" + str(
                at(group.last)
            )

        template = f"{{first_name:{f}}} {{{strategy}:{m}|space}}{{last_name:{la}}}"
        forms.append(("{first} [{middle} ]{last}", with_middle, template))
    forms += [
        (
            "{first} {last}",
            lambda at: f"{at(group.first)} {at(group.last)}",
            f"{{first_name:{f}}} {{last_name:{la}}}",
        ),
        (
            "{last}, {first}",
            lambda at: f"{at(group.last)}, {at(group.first)}",
            f"{{last_name:{la}}}, {{first_name:{f}}}",
        ),
        (
            "{last} {first}",
            lambda at: f"{at(group.last)} {at(group.first)}",
            f"{{last_name:{la}}} {{first_name:{f}}}",
        ),
    ]
    return [form for form in forms if _reads(form[2], group)]


def _apply(
    table: Table,
    columns: dict[str, ColumnProposal],
    strategies: Mapping[str, Strategy[Any]],
    target: Target,
    group: Group,
    form: Form,
    counts: tuple[int, int],
) -> None:
    """The target's rule as the form's template (its old rule where a part is missing),
    or a REVIEW note when too few rows compose or the template does not fit."""
    equal, held = counts
    first, last = join_path(group.first), join_path(group.last)
    if target.path:
        seen = f"its document's name parts {first} and {last}"
    else:
        seen = f"its row's name parts {group.column}.{first} and .{last}"
    unit = "documents" if target.path else "rows"
    seen += f" composed ({form[0]}) in {equal} of {held} sampled {unit}"
    own = columns[target.column]
    old = own.nested_rule if not target.path else own.params["paths"][target.path]
    otherwise = old if own.masked or target.path else FALLBACK
    template = {"strategy": "template", "template": form[2], "otherwise": otherwise}
    lead = f"{target.path}: " if target.path else ""
    if equal < COMPOSED_SHARE * held:
        own.why.append(f"{lead}REVIEW: {seen} holding them, {_KEPT}")
        return
    built = f"{lead}{seen} holding them: {_BUILT.format(old=_name(otherwise))}"
    if not target.path:
        params = {k: v for k, v in template.items() if k != "strategy"}
        ctx = column_context(table, table.columns[target.column], unique=False)
        if fits(strategies["template"], params, ctx):
            kind = own.kind or "full_name"
            columns[target.column] = ColumnProposal(
                target.column, "template", params, kind=kind, why=[*own.why, built]
            )
            return
    else:
        params = {**own.params, "paths": {**own.params["paths"], target.path: template}}
        ctx = column_context(table, table.columns[target.column], unique=own.unique)
        if fits(strategies["jsonb"], params, ctx):
            own.params = params
            own.why.append(built)
            return
    own.why.append(f"{lead}REVIEW: {seen} holding them, {_UNFIT}")


_BUILT = (
    "built from their masked values by a template, so it still equals them ({old} where a "
    "part is missing)"
)
_KEPT = "too few to rebuild it from them: its own rule kept, so it no longer equals them"
_UNFIT = "but a template over them does not fit it: its own rule kept, so it no longer equals them"


def _name(rule: Any) -> str:
    return rule if isinstance(rule, str) else str(rule.get("strategy"))


def _reads(template: str, group: Group) -> bool:
    """Whether the template parses back to parts reading the group's paths (a key with
    a brace or a bar cannot be written in a template)."""
    try:
        parts = [p for p in parse_template(template) if p.strategy]
    except ValueError:
        return False
    paths = {group.first, group.last} | ({group.middle[0]} if group.middle else set())
    return all(p.column == group.column and p.path in paths for p in parts) and {
        group.first,
        group.last,
    } <= {p.path for p in parts}


def _document(table: Table, column: str) -> bool:
    col_type = table.columns[column].type
    return not col_type.is_array and (col_type.base in JSON_TYPES or col_type.is_text)


def _keys(path: str) -> Keys | None:
    """A path's keys, None when it walks an array (a template part reads one value)."""
    try:
        keys = path_parts(path)
    except PathSyntaxError:
        return None
    return None if any(map(is_wild, keys)) else keys


def _path(target: Target) -> Keys:
    return _keys(target.path) or ()


def _spec(column: str, keys: Keys) -> str:
    return f"{column}.{join_path(keys)}"


def _parsed(text: str | None) -> Any:
    """A sampled document, None when it is no JSON (dbrefresh.jsonb_or_null's reading)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _at(document: Any, keys: Keys) -> Any:
    """The value at the keys (#> over objects only), None when missing."""
    for key in keys:
        if isinstance(document, list) and key.isdigit() and int(key) < len(document):
            document = document[int(key)]
        elif isinstance(document, dict):
            document = document.get(key)
        else:
            return None
    return document
