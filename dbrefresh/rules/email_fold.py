"""Email columns `rules init` masks with `fold_case: true`: where case does not matter.

The email strategy is case-sensitive by default: 'Ann@X.org' and 'ann@x.org' become two
unrelated addresses. Where the database says case does not matter, they must mask alike:
- a case-insensitive column (citext, a nondeterministic ICU collation): its values
  already hash folded; fold_case also gives lower-case output, as the type compares;
- an address under a unique index on lower(address): no two values differ only in case,
  so folding cannot collide, and the application looks addresses up case-insensitively;
- an address beside its lower-cased copy in the same row (Gitea's email_address.email
  and lower_email): masked independently, lower_email <> lower(email) in every row with
  a capital letter; both folded, lower_email = lower(email) still holds;
- addresses of two tables that meet only case-folded (orders.email 'ann@x.org',
  customers.email 'Ann@X.org'): a case-insensitive join between them.
Folding a column unique case-sensitively that holds two case variants would collide
(anonymize refuses it): the pair is folded only when the lower-cased copy is unique too
(then the address holds no such variants) or the address is not unique; a join's column
unique case-sensitively folds when the table holds no such variants (asked of it, as
anonymize's preflight asks: Kratos' identifier, unique and all lower case, was refused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.email_alike import unfoldable
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.sqlbuild import ignores_case

EMAIL = "email"
# a unique key expression lower-casing one column: lower(email), lower((email)::text)
_LOWER_KEY = re.compile(r"\blower\(\(*\"?(?P<column>[^\"():]+)\"?\)*(::[a-z ]+)?\)", re.IGNORECASE)


def fold_case_insensitive_emails(
    catalog: Catalog, proposals: dict[str, dict[str, ColumnProposal]]
) -> None:
    """fold_case on email columns whose type or unique index ignores case (before
    foreign-key groups are reconciled: a key's members then fold alike)."""
    for name, columns in proposals.items():
        table = catalog.tables[name]
        lowered = _lower_unique(table)
        for column, proposal in columns.items():
            if proposal.strategy != EMAIL or column not in table.columns:
                continue
            if ignores_case(table.columns[column].type):
                _fold(proposal, "its type ignores case")
            elif column in lowered:
                _fold(proposal, "unique in lower case")


def fold_lowered_pair(
    catalog: Catalog, table: Table, columns: dict[str, ColumnProposal], copy: str, source: str
) -> bool:
    """Both columns of an address and its lower-cased copy folded, when that is safe
    (see the module doc); False when it is not, for the caller to note."""
    if columns[copy].strategy != EMAIL or columns[source].strategy != EMAIL:
        return False
    if columns[copy].params.get("fold_case") and columns[source].params.get("fold_case"):
        return True
    keyed = any(
        (fk.table == table.qualified and ({copy, source} & set(fk.columns)))
        or (fk.ref_table == table.qualified and ({copy, source} & set(fk.ref_columns)))
        for fk in catalog.fks_touching(table.qualified)
    )  # (a key's members must be masked alike: reconciled before this)
    unique = table.unique_columns()
    safe = (
        source not in unique
        or copy in unique
        or source in _lower_unique(table)
        or ignores_case(table.columns[source].type)
    )
    if keyed or not safe:
        why = (
            "a foreign key's column: set it on the whole key"
            if keyed
            else f"{source} is unique case-sensitively: two addresses differing only in "
            "case would collide"
        )
        note = (
            f"REVIEW: lower({source}), masked on its own: it no longer equals "
            f"lower({source}) where {source} has a capital letter; fold_case: true on both "
            f"keeps them agreeing, not set here ({why})"
        )
        if note not in columns[copy].why:  # (found by its sample, then by its name)
            columns[copy].why.append(note)
        return False
    _fold(columns[source], f"{copy} holds it lower-cased")
    _fold(columns[copy], f"lower({source}), masked alike so the two still agree")
    return True


def _fold(proposal: ColumnProposal, why: str) -> None:
    if proposal.params.get("fold_case"):
        return
    proposal.params["fold_case"] = True
    proposal.why.append(f"fold_case: {why}")


def _lower_unique(table: Table) -> set[str]:
    """Columns a unique index holds lower-cased (unique (lower(email)))."""
    keys = {k.name for k in table.unique_keys if len(k.columns) == 1 and k.read_through}
    found: set[str] = set()
    for index in table.indexes:
        if index.name in keys and " WHERE " not in index.index_def:
            found |= {m["column"] for m in _LOWER_KEY.finditer(index.index_def)}
    return found & set(table.columns)


# A column named for another lower-cased (lower_email, email_lower, normalized_email):
# its values may equal the address in every sampled row (no capital letter sampled),
# and still be lower(email) where a capital letter is.
_LOWERED_NAME = re.compile(
    r"^(?:(?:lower|lowercase|lowered|normalized|canonical)_(?P<a>.+)"
    r"|(?P<b>.+)_(?:lower|lowercase|lowered|normalized|canonical))$"
)


def fold_named_pairs(catalog: Catalog, proposals: dict[str, dict[str, ColumnProposal]]) -> None:
    """fold_case on email pairs whose names say one is the other lower-cased."""
    for name, columns in proposals.items():
        table = catalog.tables[name]
        for column in columns:
            match = _LOWERED_NAME.match(column)
            source = match and (match["a"] or match["b"])
            if source and source in columns and source != column:
                fold_lowered_pair(catalog, table, columns, column, source)


MIN_SHARED = 5  # addresses two columns share once case-folded, before it says anything


def fold_case_insensitive_joins(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: dict[str, dict[str, ColumnProposal]],
    texts: Mapping[Ref, TextSample],
) -> None:
    """fold_case on email columns of two tables whose sampled addresses meet only
    case-folded (orders.email 'ann@x.org', customers.email 'Ann@X.org': an application
    joining them case-insensitively lost the match once each was masked on its own), or
    sharing addresses with one folded already (a citext column: the other's capitals
    must fold alike); a REVIEW note where folding is not safe."""
    emails = [
        (t, c)
        for t, columns in proposals.items()
        for c, p in columns.items()
        if p.strategy == EMAIL and (t, c) in texts
    ]
    folded = {ref: frozenset(v.lower() for v in texts[ref].values) for ref in emails}
    for i, a in enumerate(emails):
        for b in emails[i + 1 :]:
            shared = len(folded[a] & folded[b])
            if a[0] == b[0] or shared < MIN_SHARED:
                continue
            # (one side folded already, a citext one: the other's capitals must fold too)
            case_only = shared > len(texts[a].values & texts[b].values)
            if not case_only and not any(
                proposals[t][c].params.get("fold_case") for t, c in (a, b)
            ):
                continue
            blocked = [why for ref in (a, b) if (why := _unfoldable(conn, catalog, proposals, ref))]
            if blocked and not case_only:
                continue
            for ref, other in ((a, b), (b, a)):
                proposal = proposals[ref[0]][ref[1]]
                if blocked:
                    proposal.why.append(
                        f"REVIEW: meets {other[0]}.{other[1]} only case-insensitively (in "
                        f"{shared} sampled addresses): fold_case: true on both keeps a "
                        f"case-insensitive join matching; not set here ({blocked[0]})"
                    )
                else:
                    _fold(proposal, f"meets {other[0]}.{other[1]} case-insensitively")


def _unfoldable(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: dict[str, dict[str, ColumnProposal]],
    ref: Ref,
) -> str | None:
    """Why the column cannot simply fold case: a foreign key's column (its key's members
    are masked alike), or unique case-sensitively and holding case variants (they would
    collide; a unique column of lower-case addresses holds none)."""
    table = catalog.tables[ref[0]]
    if proposals[ref[0]][ref[1]].params.get("fold_case"):
        return None
    if any(
        (fk.table == ref[0] and ref[1] in fk.columns)
        or (fk.ref_table == ref[0] and ref[1] in fk.ref_columns)
        for fk in catalog.fks_touching(ref[0])
    ):
        return f"{ref[0]}.{ref[1]} is a foreign key's column: set it on the whole key"
    if ref[1] in table.unique_columns() and ref[1] not in _lower_unique(table):
        return unfoldable(conn, catalog, ref[0], ref[1])
    return None


fold, unfoldable_column = _fold, _unfoldable  # for email_fold_paths.py
