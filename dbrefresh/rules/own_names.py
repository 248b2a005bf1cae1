"""Kept free text naming the row's own person, in `rules init`.

Moodle's mdl_grade_grades.feedback says 'Well done Aaron!' or 'Aaron, please see me
after class.' in two rows of three, Aaron being the first name of the row's `userid`
(mdl_user.firstname, masked). A first name alone is no mention to the value detectors
(it might be a brand, a month), so the column was kept and every student's name
reached staging beside their masked one. A first or last name is personal beyond
doubt, though, when it is the name of the very person the row is about.

For each table referring to a table of people (one whose name columns are masked) by
a foreign key, or by a column named `<table>id`/`<table>_id` for an undeclared one
(real Moodle has no foreign keys: `userid` joins mdl_user.id), a sample of its rows is
joined to the person's names (one query, bounded by the sample). A kept text column
in which enough rows name their own person is masked as free text; fewer earn a
REVIEW note with the counts. The person table's own text columns are read the same
way (a bio saying 'I am Aaron'). Names at a JSON path count as name columns do:
Supabase keeps a user's name in auth.users.raw_user_meta_data->>'full_name' and
Kratos in identities.traits->'name'->>'first', and an MFA factor's friendly_name
('Anna's iPhone') names them. Names kept in a table of their own count for the table
they refer to: OpenMRS's person_name(person_id -> person) holds the names, and
obs(person_id -> person).value_text 'John tolerating ART well' names its person. A
foreign key to a single-column UNIQUE column of the table of people (OpenEMR's
form_encounter.pid -> patient_data(pid)) links like one to its key. Counts only,
never a value. A column named for a type or a kind, or holding a few class names
repeated over the rows (Canvas's folders.context_type 'User', 'Course'), names no one:
it is not judged (enum_values.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import (
    enum_values,
    handle_kinds,
    login_led,
    name_slugs,
    own_documents,
    path_folders,
    pii,
)
from dbrefresh.rules.fitting import choose, column_context, fits
from dbrefresh.rules.locale_guess import NAME_KINDS
from dbrefresh.rules.pii_values import EMBEDDED_THRESHOLD
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.strategies.base import JSON_TYPES, Strategy

MIN_ROWS = 5  # rows naming their person, before a column is masked
MIN_NOTED = 2  # rows naming their person, before a kept column is noted
MIN_NAME = 3  # characters of a name word that counts ('Al' is in too much text)
SHARED = 0.5  # of the sampled rows' names holding a word: a process's or a form's, no one's
MAX_CHARS = own_documents.CUT
_WORD = re.compile(r"[^\W\d_]+")  # letters only: 'Aaron's' holds 'Aaron'


Name = tuple[str, tuple[str, ...]]  # a column, and the keys of a JSON path in it (or none)


@dataclass(frozen=True)
class People:
    """A table of people: its key column and its masked names (columns, JSON paths)."""

    table: Table
    key: str
    names: tuple[Name, ...]
    # the names live in another table, by its column referring to `key` (person_name)
    names_from: tuple[Table, str] | None = None
    keys: tuple[str, ...] = ()  # single-column unique keys besides `key` (OpenEMR's pid)
    logins: tuple[str, ...] = ()  # masked login columns (Taiga's users_user.username)

    def shown(self) -> str:
        where = self.names_from[0] if self.names_from else self.table
        return ", ".join(
            f"{where.qualified}.{c}" + (f" at {'.'.join(p)}" if p else "") for c, p in self.names
        )


@dataclass(frozen=True)
class _Link:
    """How a table's rows reach their person: a column holding the person's key (None:
    the table of people itself)."""

    column: str | None
    people: People
    ref: str | None = None  # the people's column it refers to (None: their key)


def note_own_names(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """Mask (or note) kept text columns whose rows name their own person."""
    people = _people(catalog, proposals)
    if not people:
        return
    for name, columns in proposals.items():
        table = catalog.tables[name]
        for link in _links(catalog, table, people):
            texts = _kept_texts(catalog, table, columns, link)
            if not texts:
                continue
            try:
                counts, enums, documents, read = _count(conn, table, link, texts, rows)
            except psycopg.Error:  # a timeout, no right: the columns keep their proposals
                continue
            for column, (matched, sampled, slugs, led) in counts.items():
                if column in enums:
                    continue  # 'User', 'Course': a type the application switches on
                if not _slugs(table, columns, column, slugs, sampled, strategies):
                    _judge(table, columns, column, link, (matched, sampled), strategies,
                           documents[column], read[column])  # fmt: skip
                if led >= MIN_NOTED and not columns[column].masked:
                    where = link.people.table.qualified
                    logins = [f"{where}.{c}" for c in link.people.logins]
                    columns[column].why.append(login_led.note(logins, link.column, led, sampled))


def _people(
    catalog: Catalog, proposals: Mapping[str, dict[str, ColumnProposal]]
) -> dict[str, People]:
    """Tables with masked name columns (or JSON paths) and a one-column primary key."""
    found = {}
    for name, columns in proposals.items():
        table = catalog.tables[name]
        names = tuple(
            (c, ()) for c, p in columns.items() if p.masked and p.kind in NAME_KINDS
        ) + tuple(n for c, p in columns.items() for n in _json_names(table, c, p))
        primary = [k for k in table.unique_keys if k.primary and len(k.columns) == 1]
        logins = tuple(c for c, p in columns.items() if p.masked and p.kind == "username")
        if names and primary:
            found[name] = People(
                table, primary[0].columns[0], names, keys=_keys(table), logins=logins
            )
    for named in list(found.values()):
        for fk in catalog.keys_from(named.table.qualified):
            target = catalog.tables.get(catalog.root_of(fk.ref_table))
            if target is None or target.qualified in found or len(fk.columns) != 1:
                continue
            primary = [k for k in target.unique_keys if k.primary and k.columns == fk.ref_columns]
            if primary and _names_table(named.table, target):
                found[target.qualified] = People(
                    target, fk.ref_columns[0], named.names, (named.table, fk.columns[0]),
                    _keys(target),
                )  # fmt: skip
    return found


def _keys(table: Table) -> tuple[str, ...]:
    """The table's single-column unique keys, primary or not."""
    return tuple(k.columns[0] for k in table.unique_keys if len(k.columns) == 1)


def _names_table(names: Table, target: Table) -> bool:
    """Whether a table with masked names holds the names of the people of the table it
    refers to: that one is about people (person_name -> person), or the table's own
    name says names (user_names -> accounts); an order's customer_name is no store's."""
    words = pii.normalize(names.name).split("_")
    return pii.about_people(pii.normalize(target.name)) or bool({"name", "names"} & set(words))


def _json_names(table: Table, column: str, proposal: ColumnProposal) -> list[Name]:
    """The JSON paths a jsonb rule of a json or jsonb column masks as a name (not
    through an array's elements)."""
    if (
        proposal.strategy != "jsonb" or table.columns[column].type.base not in JSON_TYPES
    ):  # (JSON kept in text may not parse in every row)
        return []
    found: list[Name] = []
    for path, rule in (proposal.params.get("paths") or {}).items():
        strategy = rule.get("strategy") if isinstance(rule, dict) else rule
        if strategy in NAME_KINDS and "*" not in path:
            found.append((column, tuple(path.split("."))))
    return found


def _links(catalog: Catalog, table: Table, people: Mapping[str, People]) -> list[_Link]:
    """The table's ways to its rows' persons: foreign keys to a table of people, else
    columns named after one (`userid`, `user_id` beside mdl_user, users)."""
    links = [_Link(None, people[table.qualified])] if table.qualified in people else []
    declared: set[str] = set()
    own = people[table.qualified].key if table.qualified in people else None
    for fk in catalog.keys_from(table.qualified):
        target = people.get(catalog.root_of(fk.ref_table))
        declared.update(fk.columns)
        if target is None or len(fk.columns) != 1:
            continue
        if fk.ref_columns[0] == target.key:
            links.append(_Link(fk.columns[0], target))
        elif fk.ref_columns[0] in target.keys:  # a UNIQUE column: OpenEMR's patient_data.pid
            links.append(_Link(fk.columns[0], target, fk.ref_columns[0]))
    for column in table.columns.values():
        if column.name in declared or column.name == own:
            continue
        target = _named_target(table, column.name, people)
        if target is not None and (
            target.table.columns[target.key].type.category == column.type.category
        ):
            links.append(_Link(column.name, target))
    return links


def _named_target(table: Table, column: str, people: Mapping[str, People]) -> People | None:
    """The table of people a column named `<x>id` or `<x>_id` refers to: one named x
    (or its plural), or x behind the referring table's prefix (mdl_, wp_), else the one
    table of people named x behind any prefix (Django's auth_user for blog_post.user_id)."""
    norm = pii.normalize(column)
    base = norm[:-3] if norm.endswith("_id") else norm[:-2] if norm.endswith("id") else ""
    if not base or base.endswith("_"):
        return None
    prefix = table.name.lower().partition("_")[0] + "_" if "_" in table.name else ""
    wanted = {f"{p}{base}{s}" for p in {"", prefix} for s in ("", "s", "es")}
    same = [p for p in people.values() if p.table.schema == table.schema]
    matches = [p for p in same if p.table.name.lower() in wanted]
    if not matches:
        ends = (f"_{base}", f"_{base}s", f"_{base}es")
        matches = [p for p in same if p.table.name.lower().endswith(ends)]
    return matches[0] if len(matches) == 1 else None


def _kept_texts(
    catalog: Catalog, table: Table, columns: Mapping[str, ColumnProposal], link: _Link
) -> list[str]:
    """Kept plain text columns, neither keys nor joins: the ones a name could hide in."""
    joined = {c for fk in catalog.fks_touching(table.qualified) for c in fk.columns}
    joined |= {c for fk in catalog.fks_touching(table.qualified) for c in fk.ref_columns}
    return [
        name
        for name, proposal in columns.items()
        if not proposal.masked
        and proposal.kind is None
        and (column := table.columns[name]).type.category == "S"
        and not column.type.is_array
        and not column.generated
        and name not in joined
        and name not in table.partition_key
        and name != link.column
        and not enum_values.named_enum(name)  # context_type: 'User', 'Course'
    ]


def _count(
    conn: psycopg.Connection[Any], table: Table, link: _Link, texts: Sequence[str], rows: int
) -> tuple[
    dict[str, tuple[int, int, int, int]],
    set[str],
    dict[str, own_documents.Documents],
    dict[str, list[str]],
]:
    """Per text column: how many sampled non-blank values name their own person, of how
    many, how many are slugs of their names (name_slugs.py) and how many start with
    their masked login (login_led.py); the columns whose values are a few class names
    repeated (enum_values.py); the columns' values read as documents; and the values."""
    people = link.people
    names = _name_values("_dbr_p" if link.column else "_dbr_t", people)
    values = sql.SQL(", ").join(
        sql.SQL("left({}::text, {})").format(sql.Identifier("_dbr_t", c), sql.Literal(MAX_CHARS))
        for c in texts
    )
    if link.column is None:
        source: sql.Composable = sql.SQL("{} AS _dbr_t").format(spread_sample(table, rows))
    else:
        source = sql.SQL("{s} AS _dbr_t JOIN {only}{p} AS _dbr_p ON {k} = {r}").format(
            s=spread_sample(table, rows),
            only=sql.SQL("" if people.table.partitioned else "ONLY "),
            p=sql.Identifier(people.table.schema, people.table.name),
            k=sql.Identifier("_dbr_p", link.ref or people.key),
            r=sql.Identifier("_dbr_t", link.column),
        )
    held = () if people.names_from else people.logins  # read in the people's own table
    logins = login_led.columns("_dbr_p" if link.column else "_dbr_t", held)
    query = sql.SQL("SELECT {names}, {logins}{values} FROM {source}").format(
        names=names, logins=logins, values=values, source=source
    )
    counts = {c: [0, 0, 0, 0] for c in texts}
    different: dict[str, set[str]] = {c: set() for c in texts}
    documents = {c: own_documents.Documents() for c in texts}
    read: dict[str, list[str]] = {c: [] for c in texts}
    width = 1 if people.names_from else len(people.names)
    sampled = sampled_rows(conn, query)
    shared = _shared_words([_name_words(row[:width]) for row in sampled])
    for row in sampled:
        words = _name_words(row[:width]) - shared
        own = row[width : width + len(held)]
        row = (*row[:width], *row[width + len(held) :])
        slug = name_slugs.slug_words(words)
        for column, value in zip(texts, row[width:], strict=True):
            if value is None or not str(value).strip():
                continue
            counts[column][1] += 1
            if len(different[column]) <= enum_values.MAX_CLASSES:
                different[column].add(str(value))
            if words and words & set(_WORD.findall(str(value))):
                counts[column][0] += 1
            counts[column][2] += name_slugs.names_own_person(str(value), slug)
            counts[column][3] += login_led.starts_with(str(value), own)
            documents[column].read(str(value), words)
            read[column].append(str(value))
    enums = {c for c in texts if enum_values.class_names(different[c], counts[c][1])}
    return {c: (m, s, g, n) for c, (m, s, g, n) in counts.items()}, enums, documents, read


def _name_values(alias: str, people: People) -> sql.Composable:
    """The names as text: a column's value, or the text at a JSON path of it; names
    kept in a table of their own, all of a person's joined in one text."""
    if people.names_from is None:
        return _names_of(alias, people.names)
    table, refers = people.names_from
    return sql.SQL(
        "(SELECT string_agg(concat_ws(' ', {names}), ' ') FROM {only}{t} AS _dbr_n"
        " WHERE _dbr_n.{r} = {k})"
    ).format(
        names=_names_of("_dbr_n", people.names),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        r=sql.Identifier(refers),
        k=sql.Identifier(alias, people.key),
    )


def _names_of(alias: str, names: Sequence[Name]) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL("{} #>> {}").format(sql.Identifier(alias, c), sql.Literal(list(p)))
        if p
        else sql.SQL("{}::text").format(sql.Identifier(alias, c))
        for c, p in names
    )


def _name_words(names: Sequence[Any]) -> set[str]:
    """The words of a person's names as text would write them ('Aaron', 'AARON' stays
    as stored, 'aaron' capitalized too)."""
    words = set()
    for name in names:
        for word in _WORD.findall(str(name or "")):
            if len(word) >= MIN_NAME:
                words |= {word, word.capitalize()}
    return words


def _shared_words(rows: Sequence[set[str]]) -> set[str]:
    """Words in the names of most sampled rows ('KYC' in Flowable's process names 'KYC
    Jan Jansen'): no one's name, and in a business key 'KYC-00041' no mention of one."""
    counts = Counter(w for words in rows for w in words)
    return {w for w, n in counts.items() if n >= MIN_ROWS and n > SHARED * len(rows)}


def _slugs(
    table: Table,
    columns: dict[str, ColumnProposal],
    column: str,
    slugs: int,
    sampled: int,
    strategies: Mapping[str, Strategy[Any]],
) -> bool:
    """Whether the column's values are slugs of their person's names, now hashed as
    slugs (name_slugs.py)."""
    if slugs < MIN_ROWS or slugs < name_slugs.SHARE * sampled:
        return False
    if handle_kinds.service_of(pii.normalize(column)) is not None:
        return False  # Ghost's users.facebook 'laura.sanders': a handle, handles.py's
    unique = column in table.unique_columns()
    ctx = column_context(table, table.columns[column], unique=unique)
    if not fits(strategies["hash"], name_slugs.PARAMS, ctx):
        return False
    proposal = columns[column]
    columns[column] = ColumnProposal(
        column,
        "hash",
        dict(name_slugs.PARAMS),
        unique=unique,
        kind="username",
        why=[
            *(w for w in proposal.why if not w.startswith("REVIEW")),
            name_slugs.reason(slugs, sampled),
        ],
    )
    return True


def _judge(
    table: Table,
    columns: dict[str, ColumnProposal],
    column: str,
    link: _Link,
    found: tuple[int, int],
    strategies: Mapping[str, Strategy[Any]],
    documents: own_documents.Documents,
    values: Sequence[str],
) -> None:
    """Mask a column naming its own person in enough rows as free text (documents key
    by key, own_documents.py; paths as paths, path_folders.py), or note it."""
    matched, sampled = found
    if matched < MIN_NOTED:
        return
    via = f" (through {link.column})" if link.column else ""
    names = link.people.shown()
    counts = f"{matched} of {sampled} sampled values name their own person{via}: {names}"
    proposal = columns[column]
    if (kind := documents.format_of(sampled)) is not None:
        info = table.columns[column]
        maskable = (
            matched >= MIN_ROWS
            and matched >= EMBEDDED_THRESHOLD * sampled
            and info.type.length is None
            and column not in table.unique_columns()
        )
        ctx = column_context(table, info, unique=False)
        columns[column] = own_documents.proposal(
            column, proposal, documents, kind, counts, maskable=maskable, minimum=MIN_NOTED,
            strategies=strategies, ctx=ctx,
        )  # fmt: skip
        return
    if matched >= MIN_ROWS and matched >= EMBEDDED_THRESHOLD * sampled:
        unique = column in table.unique_columns()
        info = table.columns[column]
        ctx = column_context(table, info, unique=unique)
        chosen = choose("free_text", ctx, strategies)
        if path_folders.mostly_paths(values):  # Immich's originalPath: still a path
            params = path_folders.params_for(values)
            if fits(strategies["file_name"], params, ctx):
                chosen = ("file_name", params)
                counts = f"{counts}; {path_folders.why(params)}"
        if chosen is not None:
            columns[column] = ColumnProposal(
                column,
                chosen[0],
                dict(chosen[1]),
                unique=unique,
                kind="file_name" if chosen[0] == "file_name" else "free_text",
                why=[*(w for w in proposal.why if not w.startswith("REVIEW")), counts],
            )
            return
    hides = "file_name" if path_folders.mostly_paths(values) else "lorem"
    proposal.why.append(f"REVIEW: {counts}, too few to mask: kept; `{hides}` hides them")
