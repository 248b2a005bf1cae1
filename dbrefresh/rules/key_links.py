"""Masked columns linking to a masked key by value: one rule for the key and its links.

Frappe/ERPNext links documents by value, with no foreign key: "tabSales Invoice".customer
holds "tabCustomer".name, "tabDynamic Link".link_name and tabComment.reference_name a
document's name. rules init hashed tabCustomer.name (a unique key) but gave the links
`full_name` or `street` by their values, and every invoice pointed at a customer that no
longer existed. The copy modules missed them: same_ids.py, cross_copies.py and
masked_copies.py look values up only in columns whose values each name one row, so a
link repeating its value (two invoices per customer) was no copy; masked_copies.py only
replaces `hash` and `lorem`. Where they did meet a chain of copies they aligned it pair
after pair, in table order, and the last pair won ("masked like it (hash, not street)",
then "masked like it (full_name, not hash)").

Here a key is a masked text column under a single-column unique key, whose rule reads
its value only. A masked text column whose distinctive sampled values are nearly all
(SUBSET_SHARE) values of keys, at least MIN_MATCHES of them, links to those keys
however often each value repeats. Keys and their links, and the foreign-key peers of
the keys, form groups (a link to two keys joins them: "tabDynamic Link".parent holds
Contacts' and Addresses' names), and each group gets one rule, once: the rule of its
most linked key that fits every member and stays injective where it must, so equal
values still mask alike in every member (when none fits them all, keys keep theirs and
only links to keys masked like the most linked one take its rule). A key whose rule
keeps some values (`forms` without a default) gives its rule to no link, and a rule
differing only in an email's `fold_case` stays (email_fold.py settles those).

Against chance: only distinctive values count (text_samples.py: 4 to 200 characters
with a letter; codes such as 'NL', 'Yes', numbers never); at least MIN_MATCHES distinct
values must match; and an enum-like column (a few single words repeated over the rows,
or named for a type or kind: a department 'sales', 'support' beside logins of the same
name) links to nothing. A column masked as a place or a company links only to keys whose
table its name names (link_hints.py: employees.city is no link to offices.city).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog
from dbrefresh.rules import cross_copies, mail_lists
from dbrefresh.rules.copies import NOT_COPIED
from dbrefresh.rules.enum_values import MAX_CLASSES, MIN_REPEATS, named_enum
from dbrefresh.rules.fitting import column_context, fits, masks_alike
from dbrefresh.rules.link_hints import hinted, needs_hint
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.propose_keys import connected, fk_groups
from dbrefresh.rules.text_samples import Ref, TextSample, telling
from dbrefresh.strategies.base import ColumnType, Strategy

MIN_MATCHES = cross_copies.MIN_MATCHES  # distinct values found among a key's
SUBSET_SHARE = 0.8  # of a column's probed distinct values, found among its keys' values
LINK_SHARE = 0.2  # of them found in one key, for the column to link to that key too
# Notes of the pairwise copy modules, replaced by the group's one note where the rule
# changes; where it does not, those naming another strategy as the outcome are dropped
_PAIRWISE = ("masked like it", "a copy of ", "holds the identifiers of ")
_OUTCOME = re.compile(r"masked like it \((\w+), not |masked like it, not (\w+)")

# Parameters saying how a column's own values are shaped, not how a value is masked:
# a member taking its group's rule of the same strategy keeps them
_OWN_SHAPE = {"email": ("lists",)}

Proposals = Mapping[str, dict[str, ColumnProposal]]


def align_key_links(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Proposals,
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """One rule for every group of masked keys and the masked columns linking to them
    by value, in place; then every column's notes of pairwise copies whose outcome is
    not its rule are dropped (a chain aligned pair after pair said "masked like it
    (street, not hash)", then "masked like it (hash, not street)")."""
    keys = _keys(catalog, proposals, samples, strategies)
    if not keys:
        return
    peers = {ref: group for group in fk_groups(catalog) for ref in group}
    probed = {
        ref: sorted(s.values, key=cross_copies.spread)[: cross_copies.MAX_PROBED]
        for ref, s in samples.items()
        if _may_link(catalog, proposals, ref, s, peers)
    }
    known = {ref: set(samples[ref].values) for ref in keys}
    for ref, hits in cross_copies.index_hits(conn, catalog, keys, samples, probed, rows).items():
        known[ref] |= hits
    joined: list[tuple[Ref, Ref]] = []  # (column, key): one group each (propose_keys)
    links: dict[Ref, list[Ref]] = {}  # key -> columns linking to it
    seen: dict[Ref, str] = {}  # linking column -> how many of its values were found
    targets: dict[Ref, list[Ref]] = {}  # linking column -> the keys it links to
    for ref, values in probed.items():
        found = _linked_keys(ref, values, _may_hold(ref, proposals[ref[0]][ref[1]], known))
        if not found:
            continue
        covered = {v for key in found for v in values if v in known[key]}
        seen[ref] = f"{len(covered)} of {len(values)} sampled distinct values"
        targets[ref] = found
        for key in found:
            links.setdefault(key, []).append(ref)
            joined.append((ref, key))
    for key in keys:  # a key's foreign-key peers keep its rule
        for peer in peers.get(key, ()):
            if peer[1] in proposals.get(peer[0], {}):
                joined.append((peer, key))
    for members in connected(joined):
        anchors = sorted(
            (r for r in members if r in keys and links.get(r)),
            key=lambda r: (-len(links[r]), r),
        )
        if anchors:
            _resolve(catalog, proposals, strategies, members, anchors, seen, targets)
    for columns in proposals.values():  # chains of copies outside any key's group too
        for proposal in columns.values():
            proposal.why = [w for w in proposal.why if not _stale(w, proposal.strategy)]


def _keys(
    catalog: Catalog,
    proposals: Proposals,
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
) -> list[Ref]:
    """Masked text columns under a single-column unique key whose rule masks by value."""
    found = []
    for ref, sample in sorted(samples.items()):
        proposal = proposals.get(ref[0], {}).get(ref[1])
        table = catalog.tables.get(ref[0])
        if proposal is None or table is None or not proposal.masked or not sample.values:
            continue
        if not any(k.columns == (ref[1],) and not k.expressions for k in table.unique_keys):
            continue
        if _by_value(proposal, strategies):
            found.append(ref)
    return found


def _by_value(proposal: ColumnProposal, strategies: Mapping[str, Strategy[Any]]) -> bool:
    """Whether the rule's output depends on the value alone (equal in, equal out)."""
    strategy = strategies.get(proposal.strategy)
    if strategy is None or proposal.strategy in NOT_COPIED or keeps_some(proposal):
        return False
    try:
        return strategy.reads_only_its_column(strategy.parse_params(dict(proposal.params)))
    except ValueError:  # (pydantic's ValidationError)
        return False


def keeps_some(proposal: ColumnProposal) -> bool:
    """`forms` keeping the values of no listed form (a provider_id's UUIDs beside masked
    account numbers): a key's kept values must not be given to its links, which mask
    them now."""
    return proposal.strategy == "forms" and proposal.params.get("default", "keep") == "keep"


def _may_link(
    catalog: Catalog,
    proposals: Proposals,
    ref: Ref,
    sample: TextSample,
    peers: Mapping[Ref, list[Ref]],
) -> bool:
    """A masked column, under no foreign key, not enum-like, with values to look up."""
    proposal = proposals.get(ref[0], {}).get(ref[1])
    if proposal is None or not proposal.masked or proposal.strategy in NOT_COPIED:
        return False
    if ref in peers or ref[1] in catalog.tables[ref[0]].partition_key:
        return False
    return len(sample.values) >= MIN_MATCHES and not _enum_like(ref[1], sample)


def _enum_like(column: str, sample: TextSample) -> bool:
    """A type or kind, or a few single words repeated over the rows ('sales',
    'support'): labels the application switches on, not links to one row each."""
    few = sample.distinct <= MAX_CLASSES and sample.sampled >= MIN_REPEATS * sample.distinct
    words = sum(not telling(v) for v in sample.values)
    return named_enum(column) or (few and 2 * words >= len(sample.values))


def _may_hold(
    ref: Ref, proposal: ColumnProposal, known: Mapping[Ref, set[str]]
) -> Mapping[Ref, set[str]]:
    """The keys a column may link to: a city or street only to those its name names
    (link_hints.py: shared dictionary values are no evidence of a link by themselves)."""
    if not needs_hint(proposal.strategy):
        return known
    return {key: held for key, held in known.items() if hinted(ref[1], key[0])}


def _linked_keys(ref: Ref, values: list[str], known: Mapping[Ref, set[str]]) -> list[Ref]:
    """The keys a column links to: together they hold SUBSET_SHARE of its probed values,
    each MIN_MATCHES and LINK_SHARE of them at least; none if they hold fewer."""
    found = [
        key
        for key, held in known.items()
        if key != ref
        and sum(v in held for v in values) >= max(MIN_MATCHES, LINK_SHARE * len(values))
    ]
    covered = sum(any(v in known[key] for key in found) for v in values)
    return found if found and covered >= SUBSET_SHARE * len(values) else []


def _fits(
    catalog: Catalog,
    strategies: Mapping[str, Strategy[Any]],
    ref: Ref,
    source: ColumnProposal,
    anchor: Ref,
) -> bool:
    """Whether the anchor's rule compiles for the column, injective where unique, and
    masks a value there as on the anchor (a varchar(30) cut its hash short: no join)."""
    strategy = strategies[source.strategy]
    table = catalog.tables[ref[0]]
    unique = ref[1] in table.unique_columns()
    ctx = column_context(table, table.columns[ref[1]], unique=unique)
    if not fits(strategy, source.params, ctx):
        return False
    if not masks_alike(strategy, source.params, ctx, _type_of(catalog, anchor)):
        return False
    return not (unique and strategy.is_lossy_in(strategy.parse_params(dict(source.params)), ctx))


def _adopted(old: ColumnProposal, source: ColumnProposal) -> dict[str, Any]:
    """The group's parameters, with the column's own values' shape where the strategy
    stays: pretalx's mail_queuedmail."to" holds address lists where person_user.email
    holds one address, and without its `lists: true` a list became one address."""
    params = dict(source.params)
    if old.strategy == source.strategy:
        for name in _OWN_SHAPE.get(source.strategy, ()):
            if name in old.params:
                params[name] = old.params[name]
    return params


def _type_of(catalog: Catalog, ref: Ref) -> ColumnType:
    return catalog.tables[ref[0]].columns[ref[1]].type


def _stale(note: str, strategy: str) -> bool:
    """A pairwise note whose outcome is not the group's strategy: "masked like it
    (street, not hash)", or "masked like it, not hash" on a column masked by hash."""
    outcome = _OUTCOME.search(note)
    if outcome is None:
        return False
    return outcome[1] != strategy if outcome[1] else outcome[2] == strategy


def _alike(one: ColumnProposal, other: ColumnProposal) -> bool:
    """The same rule but for how an email's case is folded, which the email modules
    settle (email_fold.py: a citext column folds, a unique one holding 'Ann@' beside
    'ann@' cannot), and for the shape of each column's own values (`lists`)."""

    def bare(p: ColumnProposal) -> dict[str, Any]:
        own = _OWN_SHAPE.get(p.strategy, ())
        return {k: v for k, v in p.params.items() if k != "fold_case" and k not in own}

    return one.strategy == other.strategy and bare(one) == bare(other)


def _resolve(
    catalog: Catalog,
    proposals: Proposals,
    strategies: Mapping[str, Strategy[Any]],
    members: list[Ref],
    anchors: list[Ref],
    seen: Mapping[Ref, str],
    targets: Mapping[Ref, list[Ref]],
) -> None:
    """The first anchor's rule that fits every member on all of them, with one note in
    place of the pairwise copy modules' ones; when none fits all, the first anchor's on
    the links to keys masked like it, a link it does not fit keeping its rule with a
    REVIEW note."""
    fitting = [
        a
        for a in anchors
        if all(_fits(catalog, strategies, m, proposals[a[0]][a[1]], a) for m in members)
    ]
    anchor = (fitting or anchors)[0]
    source = proposals[anchor[0]][anchor[1]]
    # when the rule fits not every member, keys and foreign-key peers keep theirs (a
    # foreign key whose sides were masked apart would not compile): only the links to
    # keys masked like the anchor take it
    changed = members
    if not fitting:
        rule = (source.strategy, source.params)
        changed = [
            m
            for m in members
            if all(
                (proposals[k[0]][k[1]].strategy, proposals[k[0]][k[1]].params) == rule
                for k in targets.get(m, [anchor, m])
            )
        ]
    name = f"{anchor[0]}.{anchor[1]}"
    others = [f"{t}.{c}" for t, c in members if (t, c) != anchor]
    listed = ", ".join(others[:4]) + (f" and {len(others) - 4} more" if len(others) > 4 else "")
    group = f"one rule for {name}'s group of {len(members)} ({listed}), so equal values still join"
    for ref in changed:
        old = proposals[ref[0]][ref[1]]
        if ref == anchor or _alike(old, source):
            continue
        kept = [w for w in old.why if not any(p in w for p in _PAIRWISE)]
        how = (
            f"links by value to {name} ({seen[ref]})"
            if ref in seen
            else f"a key or foreign key grouped by value links with {name}"
        )
        if not _fits(catalog, strategies, ref, source, anchor):
            old.why = [
                *kept,
                f"REVIEW: {how}, masked as {source.strategy}, which does not fit it: "
                "mask it alike by hand",
            ]
            continue
        params = _adopted(old, source)
        if params != source.params and not _fits(
            catalog, strategies, ref, replace(source, params=params), anchor
        ):
            params = dict(source.params)
        kept = [w for w in kept if not mail_lists.describes_lists(w) or params.get("lists")]
        was = old.strategy if old.strategy != source.strategy else f"{old.strategy} of its own"
        proposals[ref[0]][ref[1]] = ColumnProposal(
            ref[1],
            source.strategy,
            params,
            unique=old.unique or ref[1] in catalog.tables[ref[0]].unique_columns(),
            kind=source.kind or old.kind,
            why=[*kept, f"{how}: masked like it ({source.strategy}, not {was}), {group}"],
        )
