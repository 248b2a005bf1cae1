"""Human titles of the columns of no-code and survey applications, which name their
users' columns opaquely (NocoDB's c_o5p6, Baserow's field_1008, LimeSurvey's
"123456X12X36") and keep the title the user gave in metadata tables of the same
database: nc_columns_v2.title ('Birthday'), database_field.name ('Date of birth'),
lime_question_l10ns.question ('Your date of birth'). A kept column is judged by its
title as if it were its name, with a REVIEW note saying so."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import name_evidence, pii
from dbrefresh.rules.birth_values import birth_date_proposal
from dbrefresh.rules.candidates import TEXT_CATEGORIES
from dbrefresh.rules.fitting import choose, column_context, kind_fits_type
from dbrefresh.rules.json_paths import all_dates
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.strategies.base import Strategy

Title = tuple[str, str]  # the title, and the metadata table it was read from
# table name (unqualified; "" for any table) -> column -> title
Titles = dict[str, dict[str, Title]]
# words a question opens with, which say nothing of what is asked
_LEAD = re.compile(r"^((what|is|are|was|your|please|enter|the|you|do|type|give|us|here)_)+")
_TAGS = re.compile(r"<[^>]*>")
MAX_TITLE = 80  # characters: a longer question is no name


def _find(catalog: Catalog, name: str, columns: Sequence[str]) -> Table | None:
    """A table of that name holding those columns, in any schema."""
    for table in catalog.tables.values():
        if table.name == name and all(c in table.columns for c in columns):
            return table
    return None


def _rows(conn: psycopg.Connection[Any], query: sql.Composed) -> list[tuple[Any, ...]]:
    try:
        return sampled_rows(conn, query)
    except psycopg.Error:  # no SELECT right, a timeout: judged by names alone
        return []


def read_titles(conn: psycopg.Connection[Any], catalog: Catalog) -> Titles:
    """The titles the applications' metadata in this database give their columns."""
    titles: Titles = {}
    query: sql.Composed

    def add(table: str, column: str, title: Any, source: Table) -> None:
        text = " ".join(_TAGS.sub(" ", str(title or "")).split())
        if text and len(text) <= MAX_TITLE:
            titles.setdefault(table, {}).setdefault(column, (text, source.name))

    if (nc := _find(catalog, "nc_columns_v2", ["column_name", "title"])) is not None:
        models = _find(catalog, "nc_models_v2", ["id", "table_name"])
        if models is not None and "fk_model_id" in nc.columns:
            query = sql.SQL(
                "SELECT m.table_name, c.column_name, c.title FROM {} c JOIN {} m"
                " ON m.id = c.fk_model_id"
            ).format(sql.Identifier(nc.schema, nc.name), sql.Identifier(models.schema, models.name))
        else:
            query = sql.SQL("SELECT '', column_name, title FROM {}").format(
                sql.Identifier(nc.schema, nc.name)
            )
        for table, column, title in _rows(conn, query):
            add(str(table or ""), str(column), title, nc)
    if (field := _find(catalog, "database_field", ["id", "name", "table_id"])) is not None:
        fields = sql.SQL("SELECT 'database_table_' || table_id, 'field_' || id, name FROM {}")
        query = fields.format(sql.Identifier(field.schema, field.name))
        for table, column, title in _rows(conn, query):
            add(table, column, title, field)
    if (questions := _find(catalog, "lime_questions", ["qid", "sid", "gid"])) is not None:
        l10ns = _find(catalog, "lime_question_l10ns", ["qid", "question", "language"])
        source = l10ns or questions
        text: sql.Composable | None
        if l10ns is not None:
            text = sql.SQL(
                "(SELECT l.question FROM {} l WHERE l.qid = q.qid ORDER BY l.id LIMIT 1)"
            ).format(sql.Identifier(l10ns.schema, l10ns.name))
        elif "question" in questions.columns:  # LimeSurvey before 4
            text = sql.SQL("q.question")
        else:
            text = None
        if text is not None:
            query = sql.SQL(
                "SELECT 'lime_survey_' || q.sid, q.sid || 'X' || q.gid || 'X' || q.qid, {}"
                " FROM {} q"
            ).format(text, sql.Identifier(questions.schema, questions.name))
            for table, column, title in _rows(conn, query):
                add(table, column, title, source)
    return titles


def as_name(title: str) -> str:
    """A title written as a column name: 'Your date of birth' -> 'date_of_birth'."""
    name = re.sub(r"[^0-9a-z]+", "_", title.lower()).strip("_")
    return _LEAD.sub("", name) or name


def judge_by_titles(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    titles: Titles,
    keys: set[str],
) -> None:
    """Kept columns with a title naming personal data get that kind's rule."""
    own = {**titles.get("", {}), **titles.get(table.name, {})}
    for name, (title, source) in own.items():
        proposal = proposals.get(name)
        column = table.columns.get(name)
        if proposal is None or column is None or proposal.masked or name in keys:
            continue
        if column.generated or name in table.partition_key:
            continue
        found = pii.match_name(as_name(title), table.qualified)
        if found is None or not kind_fits_type(found.kind, column.type):
            continue
        if found.text_only and column.type.category not in TEXT_CATEGORIES:
            continue
        values = samples.get(name)
        if name_evidence.denial(found.kind, values) is not None:
            continue  # 'Email' over values none of which is one
        new = _proposal(table, name, found.kind, values, strategies)
        if new is not None:
            note = f"REVIEW: judged by its title {title!r} in {source}: {found.reason}"
            new.why.insert(0, note)
            proposals[name] = new


def _proposal(
    table: Table,
    name: str,
    kind: str,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """The rule propose_column gives a column of that kind (ISO dates in text shifted
    as text, as there)."""
    column = table.columns[name]
    iso = column.type.is_text and bool(values) and all_dates([v.strip() for v in values or ()])
    if kind == "birth_date" and (column.type.is_datetime or iso):
        shifted = birth_date_proposal(table, column, strategies)
        if shifted is not None or column.type.is_datetime:
            return shifted
    unique = name in table.unique_columns()
    chosen = choose(kind, column_context(table, column, unique=unique), strategies)
    if chosen is None:
        return None
    return ColumnProposal(name, chosen[0], dict(chosen[1]), unique=unique, kind=kind, why=[])
