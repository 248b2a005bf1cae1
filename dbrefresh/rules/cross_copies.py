"""Kept columns that copy a masked column of ANOTHER table or row, in `rules init`.

Applications keep a person's identifier in other tables than its own: GitLab's
namespaces.path and routes.path hold users.username (a personal namespace is named
after its user), a ticket's `requester_login` the login. copies.py sees copies within
a row only, so these were kept while the username itself was masked, and every
username reached staging through them. Nor did it see copies of OTHER rows of the
same table: Supabase's auth.refresh_tokens.parent holds the token of the row it was
refreshed from, Matomo's matomo_user.invited_by the login of another user, with no
foreign key; kept while token and login were masked, every original survived in them
and the chain or invitation no longer pointed at any row. So another column of the
same table counts as a source too, unless copies.py found the pair copying within its
rows (that module judges those).

Each kept text column's sampled values are looked up among the values of the masked
text columns that identify someone (nearly all distinct, or under a unique key):
- in the masked column's own sample (free: a small table is sampled whole);
- through an index leading on the masked column when its table is larger than its
  sample (one query per such column, its candidates capped), since two samples of a
  large table seldom meet.
A column whose values are, for a good share, exact values of one masked column gets
that column's rule (deterministic by value: equal originals give equal masked values,
so the copies still agree) unless it is a key or join column, or the rule could not
keep it unique; then, and for values holding the masked one inside them
('group/username') or in another case, a REVIEW note names both columns.

Thresholds against chance (a tag 'support' that is also a username): only
distinctive values count (text_samples.py: 4 to 200 characters with a letter; numbers,
dates, flags, `x1` never do); at least MIN_MATCHES distinct values must match, and
they must be at least MATCH_SHARE of the kept column's distinct values; a masked
column whose sample repeats values (a first name, a city) identifies no one and is
not looked up. A column named for a reference to another row or person (`parent`,
`invited_by`, `owner`, DHIS2's one-word `modifiedby`) may hold few distinct values
(every user invited by the one admin): it is judged when every one of its sampled
values is a value of the masked column, built-in accounts ('system', 'admin':
builtin_accounts.py) left out, and at least MIN_REFERRED remain unless the column holds
a single value, no built-in one (every tag `created_by` 'system' is no copy of the
users table's 'system' account).
"""

from __future__ import annotations

import functools
import re
import string
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import polymorphic_keys, url_logins
from dbrefresh.rules.builtin_accounts import BUILTIN
from dbrefresh.rules.copies import IDENTIFIER, NOT_COPIED
from dbrefresh.rules.fitting import column_context, fits, masks_alike
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.provider_ids import keeps_identifiers
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.text_samples import Ref, TextSample, copied_values, distinctive
from dbrefresh.rules.user_ids import hashed_parts
from dbrefresh.strategies.base import Strategy

MIN_MATCHES = 5  # distinct matching values, before anything is judged
MIN_REFERRED = 2  # of a referring column's, unless it holds one (a person's) only
_BUILTIN = frozenset(BUILTIN)  # 'system', 'admin': the application's accounts
MATCH_SHARE = 0.3  # of the kept column's distinct values: a personal namespace among groups
IDENTIFYING_SHARE = 0.8  # distinct share of a masked column's sample that identifies
MAX_PROBED = 50  # distinct values per kept column looked up (and their pieces)
MAX_LOOKUP = 20_000  # values in one index lookup
_PIECES = re.compile(r"[/\s@:?=&,;|#()<>\"']+")
# Names of columns pointing at another row or person: few distinct values suffice
# (DHIS2 writes them in one word: modifiedby, storedby, lastupdatedby)
REFERRING = re.compile(
    r"(^|_)by$|^(last_?)?(created|modified|updated|stored|deleted|approved|completed|"
    r"assigned|changed|edited|entered|submitted|reviewed|verified|invited)by$|"
    r"^(parent|previous|prev|owner|author|creator|inviter|referr?er|manager|"
    r"assignee|reporter|sender|invited|replaced)(_|$)",
    re.IGNORECASE,
)
# A btree index's first key column, quoted or not: CREATE ... USING btree (username, ...)
_LEADING = re.compile(r' USING btree \((?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))[\s,)]')


def enough(found: int, probed: int) -> bool:
    """Whether `found` of `probed` sampled distinct values make a copy: MIN_MATCHES of
    them at least, and MATCH_SHARE."""
    return found >= max(MIN_MATCHES, MATCH_SHARE * probed)


def _spread(value: str) -> tuple[int, str]:
    """An order that picks values from all over the alphabet, the same on every run."""
    return zlib.crc32(value.encode("utf-8")), value


def pieces(value: str) -> set[str]:
    """The distinctive parts of a longer value: 'group/alice' holds 'alice'."""
    return {p for p in _PIECES.split(value) if p != value and distinctive(p)}


@dataclass
class _Match:
    source: Ref
    exact: int = 0
    other: int = 0  # case-folded, or inside the kept value


def note_cross_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
    row_copies: Collection[tuple[Ref, str]] = (),
) -> None:
    """Mask kept copies of masked identifying columns of other tables (or other rows)
    alike, or note them; `row_copies`: (kept, masked column) pairs copies.py judged."""
    sources = _identifying(catalog, proposals, samples)
    if not sources:
        return
    probed = {
        ref: sorted(looked, key=_spread)[:MAX_PROBED]
        for ref, s in samples.items()
        if ref[0] in proposals
        and not proposals[ref[0]][ref[1]].masked
        and (looked := _probed(ref, s))
    }
    if not probed:
        return
    known = {ref: set(samples[ref].values) for ref in sources}
    for ref in sources:  # a bare 'kit42' beside ids '@kit42:x.org' hashed by their middle
        source = proposals[ref[0]][ref[1]]
        if source.strategy == "hash":
            known[ref] |= hashed_parts(source.params, samples[ref].values)
    for ref, hits in _index_hits(conn, catalog, sources, samples, probed, rows).items():
        known[ref] |= hits
    # in another case or inside a longer value, only telling values of names and text
    kinds = {ref: proposals[ref[0]][ref[1]].kind for ref in known}
    telling = _Known.of({ref: copied_values(kinds[ref], found) for ref, found in known.items()})
    index = _Known(_Known.of(known).exact, telling.folded)
    for kept, values in probed.items():
        best = _best_match(kept, values, index, set(row_copies))
        if best is not None:
            logins = known.get(best.source, set())
            if not _url_copy(catalog, proposals, kept, best, values, logins):
                _judge(catalog, proposals, kept, best, len(values), strategies)


def _probed(ref: Ref, sample: TextSample) -> frozenset[str]:
    """The values of a kept column to look up: MIN_MATCHES distinct at least, or a
    referring column's (invited_by) but for built-in accounts ('system' created every
    tag: the users table's 'system' account is no person's copy), two at least or the
    column's only one; nothing when too few."""
    values = sample.values
    if len(values) >= MIN_MATCHES or not REFERRING.search(ref[1]):
        return values if len(values) >= MIN_MATCHES else frozenset()
    named = frozenset(v for v in values if v.lower() not in _BUILTIN)
    return named if len(named) >= MIN_REFERRED or len(values) == len(named) == 1 else frozenset()


def _identifying(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
) -> list[Ref]:
    """Masked text columns whose values each name one row (usernames, emails), by their
    sample or a single-column unique key."""
    found = []
    for (table, column), sample in samples.items():
        proposal = proposals.get(table, {}).get(column)
        if proposal is None or not proposal.masked or len(sample.values) < MIN_MATCHES:
            continue
        if keeps_identifiers(proposal):
            continue  # (its sampled text values are those it keeps: UUIDs beside numbers)
        unique = any(k.columns == (column,) for k in catalog.tables[table].unique_keys)
        if unique or sample.distinct >= IDENTIFYING_SHARE * sample.sampled:
            found.append((table, column))
    return found


# ASCII letters and digits to their class, at C speed (str.translate)
_ASCII_CLASSES = str.maketrans(
    {
        **{c: "a" for c in string.ascii_lowercase},
        **{c: "A" for c in string.ascii_uppercase},
        **{c: "0" for c in string.digits},
    }
)


@functools.lru_cache(maxsize=1 << 16)
def _classes(value: str) -> frozenset[str]:
    """A value's characters, letters and digits by class: 'a', 'A', '0', 'L' (a letter
    without case), any other character as itself."""
    chars = set(value.translate(_ASCII_CLASSES))
    return frozenset(
        c
        if c.isascii() or not c.isalnum()
        else "0"
        if c.isdigit()
        else "a"
        if c.islower()
        else "A"
        if c.isupper()
        else "L"
        for c in chars
    )


@dataclass(frozen=True)
class _Shape:
    """What a masked column's sampled values look like, to look up only candidates that
    could be among them: length, classes of characters (a phone number holds no
    letter) and the punctuation every one holds (an email's '@')."""

    longest: int  # twice the longest sampled: a sample misses the longest values
    classes: frozenset[str]
    required: frozenset[str]

    @classmethod
    def of(cls, values: Iterable[str]) -> _Shape:
        seen = list(values)
        return cls(
            2 * max(len(v) for v in seen),
            frozenset().union(*(_classes(v) for v in seen)),
            frozenset(
                c for c in frozenset.intersection(*(frozenset(v) for v in seen)) if not c.isalnum()
            ),
        )

    def __call__(self, value: str) -> bool:
        return (
            len(value) <= self.longest
            and _classes(value) <= self.classes
            and self.required <= frozenset(value)
        )


def _leading_index(table: Table, column: str) -> bool:
    """Whether a whole-table btree index starts with the column (equality looks it up)."""
    for index in table.indexes:
        if " WHERE " in index.index_def:
            continue
        lead = _LEADING.search(index.index_def)
        if lead and (lead[1].replace('""', '"') if lead[1] else lead[2]) == column:
            return True
    return False


def _index_hits(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    sources: list[Ref],
    samples: Mapping[Ref, TextSample],
    probed: Mapping[Ref, list[str]],
    rows: int,
) -> dict[Ref, set[str]]:
    """Values of the probed columns (and their pieces) found in each masked column
    sampled only in part, through its index."""
    hits: dict[Ref, set[str]] = {}
    candidates = {
        (kept[0], v)
        for kept, values in probed.items()
        for value in values
        for v in (value, *pieces(value))
    }
    for ref in sources:
        table = catalog.tables[ref[0]]
        # sampled whole (ANALYZE counted fewer rows than the sample reads; 0: unknown)
        whole = 0 < table.estimated_rows <= rows
        if whole or not _leading_index(table, ref[1]):
            continue
        fits_shape = _Shape.of(samples[ref].values)
        wanted = sorted(
            (v for _table, v in candidates if fits_shape(v)),
            key=_spread,
        )[:MAX_LOOKUP]
        if not wanted:
            continue
        column = table.columns[ref[1]]
        only = sql.SQL("" if table.partitioned else "ONLY ")
        query = sql.SQL("SELECT DISTINCT {c}::text FROM {only}{t} WHERE {c} = ANY({v}::{ty}[])")
        try:
            found = sampled_rows(
                conn,
                query.format(
                    c=sql.Identifier(ref[1]),
                    only=only,
                    t=sql.Identifier(table.schema, table.name),
                    v=sql.Literal(wanted),
                    ty=sql.SQL(column.type.sql),
                ),
            )
        except psycopg.Error:  # no SELECT right, timeout, a type without arrays
            continue
        hits[ref] = {str(v) for (v,) in found}
    return hits


_BySchema = dict[str, set[Ref]]  # schema -> the masked columns of it holding a value


@dataclass
class _Known:
    """Which masked columns hold a value, as it is and case-folded, by schema."""

    exact: dict[str, _BySchema] = field(default_factory=dict)
    folded: dict[str, _BySchema] = field(default_factory=dict)

    @classmethod
    def of(cls, known: Mapping[Ref, set[str]]) -> _Known:
        index = cls()
        for ref, found in known.items():
            schema = ref[0].partition(".")[0]
            for v in found:
                index.exact.setdefault(v, {}).setdefault(schema, set()).add(ref)
                index.folded.setdefault(v.lower(), {}).setdefault(schema, set()).add(ref)
        return index


def _best_match(
    kept: Ref, values: Iterable[str], known: _Known, row_copies: Collection[tuple[Ref, str]]
) -> _Match | None:
    """The masked column of another table, or of the same one's other rows (the same
    row's copies are copies.py's), that most of the kept values copy."""
    schema = kept[0].partition(".")[0]

    def other(ref: Ref) -> bool:
        return ref[0] != kept[0] or (kept, ref[1]) not in row_copies

    def nearest(*found: _BySchema | None) -> set[Ref]:
        # another table's column; of its own schema when one holds the value (a
        # tenant's copy of its own users, not of every tenant's seeded ones)
        own = {r for f in found if f for r in f.get(schema, ()) if other(r)}
        if own:
            return own
        return {r for f in found if f for refs in f.values() for r in refs if other(r)}

    matches: dict[Ref, _Match] = {}
    for value in values:
        same = nearest(known.exact.get(value))
        for ref in same:
            matches.setdefault(ref, _Match(ref)).exact += 1
        folded = [known.folded.get(p.lower()) for p in (value, *pieces(value))]
        for ref in nearest(*folded) - same:
            matches.setdefault(ref, _Match(ref)).other += 1
    if not matches:
        return None
    return max(matches.values(), key=lambda m: (m.exact, m.other, m.source))


def _url_copy(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    kept: Ref,
    match: _Match,
    values: Collection[str],
    logins: Collection[str],
) -> bool:
    """`url_path` for a kept column of web addresses holding the source's logins after
    a path word (an ActivityPub actor '.../users/alice'), masked as the source masks
    them, so the addresses still agree with the masked logins and with each other."""
    source = proposals[match.source[0]][match.source[1]]
    if (
        match.exact >= max(MIN_MATCHES, MATCH_SHARE * len(values))
        or source.strategy in NOT_COPIED
        or (words := url_logins.words_before(values, logins)) is None
    ):
        return False
    name = f"{match.source[0]}.{match.source[1]}"
    seen = f"{match.other} of {len(values)} sampled distinct values"
    made = url_logins.proposal(catalog.tables[kept[0]], kept[1], source, words, name, seen)
    if made is None:
        return False
    proposals[kept[0]][kept[1]] = made
    return True


def _judge(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    kept: Ref,
    match: _Match,
    probed: int,
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    need = max(MIN_MATCHES, MATCH_SHARE * probed)
    if probed < MIN_MATCHES and REFERRING.search(kept[1]):  # invited_by: the one admin
        need = probed
    name = f"{match.source[0]}.{match.source[1]}"
    columns = proposals[kept[0]]
    seen = f"{{}} of {probed} sampled distinct values"
    if match.exact < need:
        if match.exact + match.other >= need:
            columns[kept[1]].why.append(
                f"REVIEW: holds {name}, which is masked, in another case or inside a longer "
                f"value ({seen.format(match.other)}): kept, it tells what {name} hides; "
                "rebuild it from the masked value in staging, or mask it (`null`)"
            )
        return
    source = proposals[match.source[0]][match.source[1]]
    why = f"a copy of {name} ({seen.format(match.exact)})"
    by = polymorphic_keys.type_column(catalog.tables[kept[0]], kept[1])
    if by is not None and match.exact < probed:  # other rows name other things
        columns[kept[1]].why.append(
            f"REVIEW: {why}, beside ids of other things: `{by}` says what each row "
            f"names, so it is kept (masked whole, the others would point nowhere); mask "
            f"the rows naming users with a `switch` by {by}"
        )
        return
    refused = _refusal(catalog, kept, source, strategies)
    if refused is not None:
        columns[kept[1]].why.append(
            f"REVIEW: {why}, which is masked; kept ({refused}): mask it like {name} by hand"
        )
        return
    said = f"{why}: masked alike, so equal values still agree"
    if not _alike(catalog, kept, match.source, source, strategies):
        said = (
            f"REVIEW: {why}: masked with its rule, but {kept[1]}'s type cuts the output "
            f"short, so equal values no longer agree: widen it to join {name}"
        )
    copy = ColumnProposal(
        kept[1], source.strategy, dict(source.params), kind=source.kind, why=[said]
    )
    if match.other >= MIN_MATCHES:
        copy.why.append(
            f"REVIEW: also holds {name} in another case or inside a longer value "
            f"({seen.format(match.other)}): masked whole, so values built from it "
            "('group/name') no longer match it; rebuild them in staging if that matters"
        )
    columns[kept[1]] = copy


def _alike(
    catalog: Catalog,
    kept: Ref,
    masked: Ref,
    source: ColumnProposal,
    strategies: Mapping[str, Strategy[Any]],
) -> bool:
    """Whether the masked column's rule writes into the copy what it writes there
    (books.narrator varchar(30) got authors.name's hash cut to 30 characters)."""
    table = catalog.tables[kept[0]]
    ctx = column_context(table, table.columns[kept[1]], unique=False)
    other = catalog.tables[masked[0]].columns[masked[1]].type
    return masks_alike(strategies[source.strategy], source.params, ctx, other)


def _refusal(
    catalog: Catalog, kept: Ref, source: ColumnProposal, strategies: Mapping[str, Strategy[Any]]
) -> str | None:
    """Why the masked column's rule cannot simply be copied to the kept one, or None."""
    table = catalog.tables[kept[0]]
    strategy = strategies.get(source.strategy)
    if strategy is None or source.strategy in NOT_COPIED:
        return f"{source.strategy} reads more than the value"
    params = strategy.parse_params(dict(source.params))
    if not strategy.reads_only_its_column(params):
        return f"{source.strategy} reads more than the value"
    keyed = IDENTIFIER.search(kept[1]) is not None or any(
        (fk.table == kept[0] and kept[1] in fk.columns)
        or (fk.ref_table == kept[0] and kept[1] in fk.ref_columns)
        for fk in catalog.fks_touching(kept[0])
    )
    if keyed or kept[1] in table.partition_key:
        return "a key or join column"
    unique = kept[1] in table.unique_columns()
    ctx = column_context(table, table.columns[kept[1]], unique=unique)
    if unique and strategy.is_lossy_in(params, ctx):
        return f"it is {table.uniqueness_of(kept[1])}, and {source.strategy} may collide"
    if not fits(strategy, source.params, ctx):
        return f"{source.strategy} does not fit {table.columns[kept[1]].type.sql}"
    return None


# The lookup json_copies.py shares (JSON paths copying a masked column)
spread, identifying, index_hits = _spread, _identifying, _index_hits
leading_index = _leading_index  # uuid_copies.py
shape_of = _Shape.of  # json_copies.py: values a sampled-in-part column could hold
known_index, best_match = _Known.of, _best_match  # masked_copies.py
