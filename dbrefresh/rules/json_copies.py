"""JSON paths that copy a masked text column get that column's rule, in `rules init`.

cross_copies.py aligns kept columns with the masked column they copy, not JSON paths,
so two copies of one value were masked apart: `users.username` (half of them emails)
got `{email, unique}` and the path `user.username` of `events."user"` `{hash, prefix:
u}` from its key, and the join on the username went from 2,000 events to none. A
bounce's `meta.Name`, a copy of `subscribers.name` (full names, first names, email
local parts: too mixed for the name detector), was kept, and 198 of 400 full names
reached staging.

Each JSON column's sampled paths (strings; an array's elements pooled, as the path
naming them all: 'contacts.*.name') are looked up among the
sampled values of the masked text columns, and through an index leading on a masked
column whose table is larger than its sample (cross_copies' lookup). A path whose
distinct values are, for a good share (cross_copies' MIN_MATCHES, MATCH_SHARE), exact
values of one masked column gets that column's rule (deterministic by value: equal
values still agree), kept or masked otherwise. The column must identify someone
(nearly all distinct, or unique) unless the path's key says name (`Name`, `fullName`,
`displayName`): a name column repeats first names. Not for a rule that reads more than
the value, nor one that does not fit a path; not in a key or join column's documents,
nor where an array's elements were proposed rules of their own.

A path a rule of its own masks already takes the column's only when nearly all of its
values (OWN_RULE_SHARE) are copies, or, the column sampled only in part, could be (of
its shape: an email column's copies hold '@'): Sentry's `tags.*.1`, the values of
[name, value] pairs that array_paths.py hashed, held 25 copies of
tagstore_eventuser.email in 50 values beside server names and `id:` idents, and
`{email, unique}` made every tag an address. Such a path keeps its own rule; a kept
path still takes the column's at the lower share (masked alike rather than kept).

A kept path whose values hold such values inside them, as pieces (Mattermost's
notify_props `mention_keys` 'benjaminhamilton,@benjaminhamilton,rezende', the user's
own username twice) for as good a share, gets `lorem`: no rule rebuilds the list around
the masked value, and kept, every username reached staging.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import cross_copies, json_paths, pii, url_logins
from dbrefresh.rules.copies import IDENTIFIER, NOT_COPIED
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import SAMPLED_PATHS, ColumnProposal
from dbrefresh.rules.text_samples import Ref, TextSample, copied_values, distinctive
from dbrefresh.strategies.base import JSON_TYPES, ColumnContext, Strategy
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, join_path, path_parts

Path = tuple[str, str, str]  # (qualified table, column, path)
# Of an array position's sampled values, identifier-like (text_samples.distinctive), for
# its elements to be looked up as one path: a tuple's operators and numbers are not
ELEMENT_SHARE = 0.9
# Of a path's probed values, copies of the column (or of its shape, the column sampled
# in part) before the path's own rule gives way to the column's
OWN_RULE_SHARE = 0.9
_NAME_WORDS = frozenset({"name", "fullname", "displayname", "firstname", "lastname", "surname"})


@dataclass(frozen=True)
class Probe:
    """What one JSON path's sample says for finding copies: a few of its distinct
    distinctive values, and the sampled paths it names (an array's elements)."""

    values: tuple[str, ...]
    elements: frozenset[str]


Probes = dict[str, Probe]  # by path, of one JSON column


def documents(
    table: Table, proposals: Mapping[str, ColumnProposal], samples: Mapping[str, Sequence[str]]
) -> dict[Ref, Probes]:
    """The probes of a table's JSON columns (and JSON kept in text), kept small: every
    table's are held until the copies are looked up. The documents the proposal read
    are used again, not parsed twice."""
    out = {}
    for column, proposal in proposals.items():
        info = table.columns[column]
        if info.generated or info.type.is_array or not samples.get(column):
            continue
        if info.type.base in JSON_TYPES or proposal.strategy == "jsonb":
            read = proposal.documents or json_paths.read_documents(samples[column])
            out[(table.qualified, column)] = probes_of(read)
    return out


def probes_of(read: json_paths.Documents) -> Probes:
    pooled: dict[str, set[str]] = {}
    elements: dict[str, set[str]] = {}
    mixed: set[str] = set()  # array paths some of whose elements are no identifiers
    for path, values in read.paths.items():
        every = every_element(path, read.arrays.get(path, frozenset()))
        found = {v for v in values if distinctive(v)}
        pooled.setdefault(every, set()).update(found)
        elements.setdefault(every, set()).add(path)
        if every != path and sum(map(distinctive, values)) < ELEMENT_SHARE * len(values):
            mixed.add(every)  # an MBQL clause ['=', ['field', 4], 'ann@x.org']: a tuple
    return {
        every: Probe(
            ()
            if every in mixed
            else tuple(sorted(found, key=cross_copies.spread)[: cross_copies.MAX_PROBED]),
            frozenset(elements[every]),
        )
        for every, found in pooled.items()
    }


def every_element(path: str, positions: frozenset[int]) -> str:
    """The path naming every element of its arrays, as array_paths.py writes it:
    'cc.0' -> 'cc', 'contacts.1.name' -> 'contacts.*.name', a top-level '0' -> '*'."""
    parts = list(path_parts(path))
    for position in sorted(positions, reverse=True):  # innermost first
        if position >= len(parts) or not parts[position].isdigit():
            continue
        if position == len(parts) - 1 and position > 0:
            parts = parts[:position]
        else:
            parts[position] = WILDCARD
    return join_path(parts)


def name_key(path: str) -> bool:
    """Whether the path's last key says name: `Name`, `fullName`, `display_name`."""
    words = pii.normalize(path_parts(path)[-1]).split("_")
    return words[-1] in _NAME_WORDS or "".join(words) in _NAME_WORDS


@dataclass(frozen=True)
class _Copy:
    source: Ref
    matched: int
    probed: int


def align_json_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    docs: Mapping[Ref, Probes],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """Mask each JSON path copying a masked text column with that column's rule."""
    sources = [
        ref
        for ref, sample in samples.items()
        if ref[0] in proposals
        and proposals[ref[0]][ref[1]].masked
        and len(sample.values) >= cross_copies.MIN_MATCHES
    ]
    probed: dict[Ref, list[str]] = {}
    elements: dict[Ref, frozenset[str]] = {}  # the sampled paths of each probed one
    for (table, column), probes in docs.items():
        if table not in proposals or _keyed(catalog, table, column):
            continue
        for path, probe in probes.items():
            if len(probe.values) >= cross_copies.MIN_MATCHES:
                ref = (table, f"{column}\x00{path}")
                probed[ref], elements[ref] = list(probe.values), probe.elements
    if not sources or not probed:
        return
    known = {ref: set(samples[ref].values) for ref in sources}
    for ref, hits in cross_copies.index_hits(conn, catalog, sources, samples, probed, rows).items():
        known[ref] |= hits
    holders: dict[str, set[Ref]] = {}  # value -> the masked columns holding it
    inside: dict[str, set[Ref]] = {}  # ... among the values telling inside a longer one
    for ref, found in known.items():
        for value in found:
            holders.setdefault(value, set()).add(ref)
        for value in copied_values(proposals[ref[0]][ref[1]].kind, found):
            inside.setdefault(value, set()).add(ref)
    identifying = set(cross_copies.identifying(catalog, proposals, samples))
    for (table, key), values in probed.items():
        column, _, path = key.partition("\x00")
        copy = _best(values, holders, None if name_key(path) else identifying)
        met = elements[(table, key)]
        current = proposals[table][column]
        if (
            copy is not None
            and (own := _own_rule(current, path, met)) is not None
            and not _replaces(catalog, samples, rows, copy, values, holders)
        ):
            if current.strategy == "jsonb":  # (a document masked whole: _apply's skip)
                current.why.append(_partly(path, copy, own))
            continue
        if copy is not None:
            _apply(catalog, proposals, (table, column, path), copy, strategies, met)
        elif (held := _best_inside(values, inside, identifying)) is not None:
            address = _url_path(proposals, held, values, known.get(held.source, set()))
            where = (table, column, path)
            _lorem_inside(catalog, proposals, where, held, strategies, met, address)


def _keyed(catalog: Catalog, table: str, column: str) -> bool:
    """A key or join column's documents are left alone (masked, they no longer join)."""
    info = catalog.tables[table]
    return (
        IDENTIFIER.search(column) is not None
        or column in info.unique_columns()
        or column in info.partition_key
        or any(
            (fk.table == table and column in fk.columns)
            or (fk.ref_table == table and column in fk.ref_columns)
            for fk in catalog.fks_touching(table)
        )
    )


def _own_rule(current: ColumnProposal, path: str, met: frozenset[str]) -> str | None:
    """The strategy masking the path already (the whole document's, the path's or its
    elements'), or None while it is kept."""
    if current.masked and current.strategy != "jsonb":
        return current.strategy
    paths = current.params.get("paths") or {}
    for name in (path, *sorted(met)):
        if name in paths:
            rule = paths[name]
            return str(rule.get("strategy") if isinstance(rule, dict) else rule)
    return None


def _replaces(
    catalog: Catalog,
    samples: Mapping[Ref, TextSample],
    rows: int,
    copy: _Copy,
    values: list[str],
    holders: Mapping[str, set[Ref]],
) -> bool:
    """Whether nearly all the path's values are copies of the column, or, the column
    sampled only in part, of its shape (a copy the sample missed)."""
    could = copy.matched
    table = catalog.tables[copy.source[0]]
    if not 0 < table.estimated_rows <= rows:  # sampled in part: misses look alike
        fits_shape = cross_copies.shape_of(samples[copy.source].values)
        could += sum(1 for v in values if copy.source not in holders.get(v, ()) and fits_shape(v))
    return could >= OWN_RULE_SHARE * copy.probed


def _partly(path: str, copy: _Copy, own: str) -> str:
    return (
        f"{path}: only {copy.matched} of {copy.probed} sampled distinct values are copies of "
        f"{copy.source[0]}.{copy.source[1]}, the rest other values: its own {own} kept"
    )


def _most_held(counts: Mapping[Ref, int], probed: int) -> _Copy | None:
    """The column holding most of the `probed` values (`counts`: how many each holds),
    if enough of them to be a copy (cross_copies' thresholds)."""
    if not counts:
        return None
    source = max(counts, key=lambda r: (counts[r], r))
    if not cross_copies.enough(counts[source], probed):
        return None
    return _Copy(source, counts[source], probed)


def _best(
    values: list[str], holders: Mapping[str, set[Ref]], allowed: set[Ref] | None
) -> _Copy | None:
    """The masked column (among `allowed`; None: any) holding most of the path's
    values, if enough of them."""
    counts: dict[Ref, int] = {}
    for value in values:
        for ref in holders.get(value, ()):
            if allowed is None or ref in allowed:
                counts[ref] = counts.get(ref, 0) + 1
    return _most_held(counts, len(values))


def _best_inside(
    values: list[str], holders: Mapping[str, set[Ref]], allowed: set[Ref]
) -> _Copy | None:
    """The identifying masked column whose values most of the path's values hold as
    pieces ('alice,@alice'), if enough of them."""
    counts: dict[Ref, int] = {}
    for value in values:
        held = {r for p in cross_copies.pieces(value) for r in holders.get(p, ()) if r in allowed}
        for ref in held:
            counts[ref] = counts.get(ref, 0) + 1
    return _most_held(counts, len(values))


def _lorem_inside(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    where: Path,
    copy: _Copy,
    strategies: Mapping[str, Strategy[Any]],
    met: frozenset[str],
    address: dict[str, Any] | None = None,
) -> None:
    """`lorem` for a kept path whose values hold the source's values inside them, or
    the `address` rule (`url_path`) for web addresses holding them as a login."""
    table, column, path = where
    current = proposals[table][column]
    if current.masked and current.strategy != "jsonb":
        return  # the whole document is masked
    paths: dict[str, Any] = dict(current.params.get("paths") or {})
    if path in paths or any(p in paths for p in met):
        return  # masked already, or its elements are
    name = f"{copy.source[0]}.{copy.source[1]}"
    why = (
        f"{path}: holds {name}, which is masked, inside its values ({copy.matched} of "
        f"{copy.probed} sampled distinct values): "
        + (
            f"web addresses: that part masked like {name}"
            if address
            else "lorem, as no rule rebuilds it around the masked value"
        )
    )
    info = catalog.tables[table]
    document = column_context(info, info.columns[column], unique=False)
    _set_path(proposals, where, paths, address or "lorem", document, strategies, why, current.why)


def _set_path(
    proposals: Mapping[str, dict[str, ColumnProposal]],
    where: Path,
    paths: dict[str, Any],
    rule: Any,
    document: ColumnContext,
    strategies: Mapping[str, Strategy[Any]],
    why: str,
    notes: list[str],
) -> None:
    """The document's `jsonb` rule with `rule` at the path (`paths`: its other paths),
    if it still fits the column; a kept column gets a `jsonb` rule of its own. `why`
    says why, before `notes`, the proposal's other reasons."""
    table, column, path = where
    current = proposals[table][column]
    paths[path] = rule
    raw = {**current.params, "paths": paths}
    jsonb = strategies.get("jsonb")
    if jsonb is None or not fits(jsonb, raw, document):
        return
    if current.masked:
        current.params, current.why = raw, [*notes, why]
        return
    proposals[table][column] = ColumnProposal(
        column, "jsonb", raw, kind="json", why=[why, SAMPLED_PATHS, *notes]
    )


def _apply(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    where: Path,
    copy: _Copy,
    strategies: Mapping[str, Strategy[Any]],
    met: frozenset[str],
) -> None:
    """Give the path (`met`: the sampled element paths it names) the source's rule."""
    table, column, path = where
    source = proposals[copy.source[0]][copy.source[1]]
    current = proposals[table][column]
    if current.masked and current.strategy != "jsonb":
        return  # the whole document is masked
    paths: dict[str, Any] = dict(current.params.get("paths") or {})
    if any(p in paths for p in met - {path}):
        return  # elements proposed rules of their own, not collapsed: left as they are
    wanted = source.nested_rule
    if paths.get(path) == wanted:
        return
    old = paths.get(path)
    was = old.get("strategy") if isinstance(old, dict) else old
    if isinstance(old, dict) and old.get("as", "text") != "text":
        return  # a date or number masked as such
    if was == source.strategy == "email":
        return  # email_alike.py gives every email rule the same parameters
    if source.strategy == "switch" and _a_case(source.params.get("cases") or {}, old):
        return  # NodeBB's 'username:uid' case masks as the user hash's `username` path
    name = f"{copy.source[0]}.{copy.source[1]}"
    seen = f"{copy.matched} of {copy.probed} sampled distinct values"
    strategy = strategies.get(source.strategy)
    document = column_context(
        catalog.tables[table], catalog.tables[table].columns[column], unique=False
    )
    if (
        strategy is None
        or source.strategy in NOT_COPIED
        or not strategy.reads_only_its_column(strategy.parse_params(dict(source.params)))
        or not fits(strategy, source.params, path_context(document, "text"))
    ):
        current.why.append(
            f"REVIEW: {path}: a copy of {name} ({seen}), which is masked by "
            f"{source.strategy}; no path can be masked alike: mask it by hand"
        )
        return
    instead = (
        "" if was is None else f", not {was}" if was != source.strategy else ", its parameters too"
    )
    why = f"{path}: a copy of {name} ({seen}): masked like it{instead}, so equal values still agree"
    # (a note that the path is kept, too few names in it to mask, no longer holds)
    notes = [w for w in current.why if not w.startswith(f"REVIEW: {path}: ")]
    _set_path(proposals, where, paths, wanted, document, strategies, why, notes)


def _a_case(cases: Mapping[str, Any], rule: Any) -> bool:
    """Whether a switch case has this rule (an email case any email rule: their
    parameters are aligned later), so a copy of that case's values masks alike."""

    def spelled(r: Any) -> Any:
        return {"strategy": r} if isinstance(r, str) else r

    wanted = spelled(rule)
    if not isinstance(wanted, dict):
        return False
    return any(
        spelled(case) == wanted
        or spelled(case).get("strategy") == wanted.get("strategy") == "email"
        for case in cases.values()
        if isinstance(spelled(case), dict)
    )


def _url_path(
    proposals: Mapping[str, dict[str, ColumnProposal]],
    copy: _Copy,
    values: list[str],
    logins: Collection[str],
) -> dict[str, Any] | None:
    """A `url_path` rule for a path of web addresses holding the source's logins after
    a path word (Misskey's mentionedRemoteUsers `*.uri`), or None."""
    source = proposals[copy.source[0]][copy.source[1]]
    if source.strategy in NOT_COPIED or (words := url_logins.words_before(values, logins)) is None:
        return None
    return {"strategy": "url_path", **url_logins.url_rule(words, source)}
