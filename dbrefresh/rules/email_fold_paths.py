"""fold_case between an email column and an email at a JSON path, in `rules init`.

Kratos' identities.traits->>'email' keeps the user's case, and
identity_credential_identifiers.identifier (unique) is lower(traits->>'email'): both
got `{email, unique: true}` and no fold_case, and the join `identifier =
lower(traits->>'email')` went from 1500 rows to none. email_fold.py compares email
columns only; here each email rule at a JSON path is compared with the email columns
the same way: its sampled values, case-folded, against the column's sample and, for a
table sampled in part, its index (the values lower-cased too). Meeting only
case-folded, both fold (email_alike.py then folds every email rule alike), or a REVIEW
note on both says why not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog
from dbrefresh.rules import cross_copies
from dbrefresh.rules.email_fold import MIN_SHARED, fold, unfoldable_column
from dbrefresh.rules.json_copies import Probes
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample

EMAIL = "email"
Proposals = dict[str, dict[str, ColumnProposal]]


def _email_paths(proposals: Proposals, docs: Mapping[Ref, Probes]) -> dict[Ref, list[str]]:
    """(table, column + NUL + path) of each email rule at a sampled JSON path: its values."""
    found: dict[Ref, list[str]] = {}
    for (table, column), probes in docs.items():
        proposal = proposals.get(table, {}).get(column)
        if proposal is None or proposal.strategy != "jsonb":
            continue
        for path, rule in (proposal.params.get("paths") or {}).items():
            strategy = rule.get("strategy") if isinstance(rule, dict) else rule
            probe = probes.get(path)
            if strategy == EMAIL and probe is not None and len(probe.values) >= MIN_SHARED:
                found[(table, f"{column}\x00{path}")] = list(probe.values)
    return found


def fold_json_path_joins(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Proposals,
    texts: Mapping[Ref, TextSample],
    docs: Mapping[Ref, Probes],
    rows: int,
) -> None:
    """fold_case on an email column and an email JSON path meeting only case-folded."""
    columns = [
        (t, c) for t, cols in proposals.items() for c, p in cols.items() if p.strategy == EMAIL
    ]
    columns = [ref for ref in columns if ref in texts]
    paths = _email_paths(proposals, docs)
    if not columns or not paths:
        return
    probed = {ref: sorted({*values, *(v.lower() for v in values)}) for ref, values in paths.items()}
    known = {ref: set(texts[ref].values) for ref in columns}
    for ref, hits in cross_copies.index_hits(conn, catalog, columns, texts, probed, rows).items():
        known[ref] |= hits
    for (table, key), values in paths.items():
        column, _, path = key.partition("\x00")
        for ref in columns:
            folded = {v.lower() for v in known[ref]}
            shared = sum(1 for v in values if v.lower() in folded)
            exact = sum(1 for v in values if v in known[ref])
            if shared >= MIN_SHARED and shared > exact:
                _meet(conn, catalog, proposals, (table, column, path), ref, shared)


def _meet(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Proposals,
    where: tuple[str, str, str],
    ref: Ref,
    shared: int,
) -> None:
    """Fold both, or note on both why not."""
    table, column, path = where
    document, address = proposals[table][column], proposals[ref[0]][ref[1]]
    at = f"{table}.{column} at {path}"
    if (blocked := unfoldable_column(conn, catalog, proposals, ref)) is not None:
        review = (
            f"only case-insensitively (in {shared} sampled addresses): fold_case: true on "
            f"both keeps a case-insensitive join matching; not set here ({blocked})"
        )
        address.why.append(f"REVIEW: meets {at} {review}")
        document.why.append(f"REVIEW: {path}: meets {ref[0]}.{ref[1]} {review}")
        return
    fold(address, f"meets {at} case-insensitively")
    rules = dict(document.params["paths"])
    rule = rules[path]
    rule = dict(rule) if isinstance(rule, dict) else {"strategy": EMAIL}
    if not rule.get("fold_case"):
        rule["fold_case"] = True
        rules[path] = rule
        document.params["paths"] = rules
        document.why.append(f"{path}: fold_case: meets {ref[0]}.{ref[1]} case-insensitively")
