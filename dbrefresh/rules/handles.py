"""Messenger handles and profile addresses of people, masked in a shape kept plausible.

Moodle's mdl_user (up to 3.11) has `icq`, `skype`, `yahoo`, `aim`, `msn` and `url`;
other applications `twitter`, `linkedin`, `github`, `website`. Their values
('live:shaun.castro1', '@shauncastro1', 'https://www.linkedin.com/in/shaun-castro-1',
'https://shauncastro.blog.example') name one person each, yet no detector knew them:
only the ones holding email addresses were masked. In a table about people (a
company's website is no one's), a column so named is masked: a URL by a template that
stays a URL, digits (an ICQ number) digit by digit, a handle by a hash behind the
handle's own marker ('@', 'live:'). Only a column still kept once copies are judged
(copies.py) is masked so: GitLab's twitter copying the username is masked like it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import pii
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.handle_kinds import FLAGS, URLS, candidates_for, service_of
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import ColumnContext, Strategy

Proposals = dict[str, dict[str, ColumnProposal]]


def proposal_for(
    ctx: ColumnContext,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """A masking rule for a person's messenger handle or web address, or None."""
    norm = pii.normalize(ctx.column)
    table = pii.normalize(ctx.table.rsplit(".", 1)[-1])
    service = service_of(norm)
    if not ctx.type.is_text or ctx.type.is_array or not pii.about_people(table):
        return None
    if service is None and norm not in URLS:
        return None
    sample = [v.strip() for v in values or () if v.strip()]
    if sample and {v.lower() for v in sample} <= FLAGS:
        return None  # a setting (show the Twitter link?), no account
    if 2 * sum(any(c.isspace() for c in v) for v in sample) > len(sample):
        return None  # words (a student's `aim`): no handle or address has a blank
    candidates, how = candidates_for(service, sample, ctx.unique)
    cut = [("hash", {"length": ctx.type.length})] if ctx.type.length else []
    for name, params in [*candidates, ("hash", {}), *cut, ("null", {})]:
        strategy = strategies.get(name)
        if strategy is not None and fits(strategy, params, ctx):
            what = f"an account at {service}" if service else "a person's web address"
            why = [f"`{norm}` in a table about people: {what}"]
            why += [how] if (name, params) in candidates else []
            kind = "username" if name == "hash" else None
            return ColumnProposal(ctx.column, name, dict(params), ctx.unique, kind, why)
    return None


def pending(
    table: Table,
    columns: Mapping[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: Collection[tuple[str, str]],
) -> dict[tuple[str, str], ColumnProposal]:
    """The rules for the table's kept handles and web addresses (not applied yet)."""
    out = {}
    unique = table.unique_columns()
    for name, proposal in columns.items():
        column = table.columns[name]
        if proposal.masked or column.generated or (table.qualified, name) in keys:
            continue
        ctx = column_context(table, column, unique=name in unique)
        if (found := proposal_for(ctx, samples.get(name), strategies)) is not None:
            out[(table.qualified, name)] = found
    return out


def apply(proposals: Proposals, found: Mapping[tuple[str, str], ColumnProposal]) -> None:
    """Mask the handles still kept (a copy of a masked column is masked like it)."""
    for (table, column), proposal in found.items():
        if not proposals[table][column].masked:
            proposals[table][column] = proposal
