"""Kept columns that copy a masked column of their row, in `rules init`.

Applications keep a person's identifier twice: WordPress's user_nicename beside
user_login, a profile's website (https://abentley244.example.org/) or avatar path
beside the username, a normalized_email = lower(email). The value detectors see none
of them (a URL, a slug), so they were kept while the column they copy was masked.
A sample of rows compares each kept text column with each masked one of the same row:
- a copy (equal in nearly every row) gets the masked column's rule: the same
  strategy on the same value gives the same output, so the two still agree;
- a lower- or upper-cased copy is rebuilt from the masked column by a template
  (`{hash:user_login|lower}`), when the rule can be a template's part (a unique copy
  when the template stays injective: over a column differing in every row); an
  address and its lower-cased copy both get email's fold_case (rules/email_fold.py);
- a copy in mixed case, or a value holding the masked one inside it, gets a REVIEW
  note naming the column it copies (no strategy rebuilds a URL around a masked name);
  held inside, the masked values must differ from row to row (one word such as
  'image' in 'image_1920' is no one's identifier).
A copy under a key, or of a rule that reads more than the value, keeps its proposal
with a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import url_logins
from dbrefresh.rules.email_fold import fold_lowered_pair
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.hash import DEFAULT_HEX
from dbrefresh.strategies.registry import get
from dbrefresh.strategies.template import FORBIDDEN as TEMPLATE_FORBIDDEN

MIN_LENGTH = 4  # a masked value shorter than this is found inside too much by chance
MIN_ROWS = 5  # rows where both columns hold a value, before anything is judged
COPY_SHARE = 0.9  # equal in this share of those rows: a copy
INSIDE_SHARE = 0.2  # found inside the kept value in this share: worth a note
# ...and as many different values in half those rows: a person's identifier differs from
# row to row, where Odoo's index_content 'image' inside res_field 'image_1920' is one word
DISTINCT_INSIDE_SHARE = 0.5
MAX_PAIRS = 200  # (kept, masked) pairs compared per table
MAYBE_CASED = 0.5  # of a masked column's sampled values: measure it as a cased copy
FILTERS = ("lower", "upper")  # a cased copy a template rebuilds (_Pair.lowered, uppered)
# Rules not copied to a kept copy: their output depends on more than the value (other
# columns, the row's position, the user's SQL), so the copy would not match; `null`
# is no copy of anything.
NOT_COPIED = frozenset({"switch", "jsonb", "shuffle", "template", "sql", "derived", "null"})


# Names of columns other tables join on even without a foreign key (Nextcloud's
# oc_authtoken.uid, a copy of login_name): masked alone, every token lost its user.
IDENTIFIER = re.compile(r"(^|_)(u?id|userid|key|uuid|ref|code)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Pair:
    kept: str  # the column that may copy: kept (or masked, for a cased copy)
    masked: str
    both: int = 0
    equal: int = 0
    folded: int = 0
    inside: int = 0
    inside_distinct: int = 0  # different masked values among those found inside
    lowered: int = 0  # the kept value is lower(masked)
    uppered: int = 0


def note_copies(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    rows: int,
    samples: Mapping[Ref, TextSample] | None = None,
) -> set[tuple[Ref, str]]:
    """Mask kept copies of masked columns alike, and note kept values holding them;
    with the sampled `samples`, rebuild masked cased copies from their column. Returns
    the (kept column, masked column) pairs found copying within their rows, which
    cross_copies.py then leaves to this module."""
    judged: set[tuple[Ref, str]] = set()
    for name, columns in proposals.items():
        table = catalog.tables[name]
        pairs = _pairs(table, columns, samples or {})
        if not pairs:
            continue
        try:
            measured = _measure(conn, table, pairs, rows)
        except psycopg.Error:  # no SELECT right, timeout: the proposals stay as they are
            continue
        # join columns (uid, userid: joined on without a key) and key columns
        joined = {c for c in columns if IDENTIFIER.search(c)}
        for fk in catalog.fks_touching(name):
            joined |= set(fk.columns if fk.table == name else ())
            joined |= set(fk.ref_columns if fk.ref_table == name else ())
        keyed = joined | table.unique_columns()
        for pair in measured:
            if pair.both >= MIN_ROWS and pair.inside >= INSIDE_SHARE * pair.both:
                judged.add(((name, pair.kept), pair.masked))  # equal, cased or inside
            if pair.lowered >= COPY_SHARE * pair.both > 0 and fold_lowered_pair(
                catalog, table, columns, pair.kept, pair.masked
            ):
                continue  # (an address and its lower-cased copy: both fold case)
            if _url_copy(table, columns, pair, samples or {}):
                continue
            _judge(table, columns, pair, constrained=pair.kept in keyed, joined=pair.kept in joined)
    return judged


def _pairs(
    table: Table, columns: Mapping[str, ColumnProposal], samples: Mapping[Ref, TextSample]
) -> list[_Pair]:
    masked = [c for c, p in columns.items() if p.masked and table.columns[c].type.is_text]
    kept = [
        c
        for c, p in columns.items()
        if not p.masked and table.columns[c].type.is_text and not table.columns[c].generated
    ]
    # masked ones too, after the kept: a masked lower(username) masked on its own
    # disagrees with the masked username (_derived rebuilds it instead)
    # (only where the values rules init sampled say so: a query per table that has
    # masked columns only cost 0.3 s of 2 in bench/tenants.py)
    pairs = [_Pair(k, m) for k in kept for m in masked]
    pairs += [
        _Pair(k, m)
        for k in masked
        for m in masked
        if k != m
        and not table.columns[k].generated
        and _maybe_cased(samples.get((table.qualified, k)), samples.get((table.qualified, m)))
    ]
    return pairs[:MAX_PAIRS]


def _maybe_cased(copy: TextSample | None, source: TextSample | None) -> bool:
    """Whether the sampled values of one column are mostly those of another lower- or
    upper-cased (and not the same): worth measuring row by row."""
    if copy is None or source is None or len(copy.values) < MIN_ROWS:
        return False
    lowered = {v.lower() for v in source.values}
    uppered = {v.upper() for v in source.values}
    cased = max(len(copy.values & lowered), len(copy.values & uppered))
    return cased >= MAYBE_CASED * len(copy.values) and cased > len(copy.values & source.values)


_COUNTS = 5 + len(FILTERS)  # counts measured per pair, in _Pair's order


def _measure(
    conn: psycopg.Connection[Any], table: Table, pairs: list[_Pair], rows: int
) -> list[_Pair]:
    """Per pair, over a sample: rows with both values, equal, equal case-folded, and
    the masked value inside the kept one."""
    counts: list[sql.Composable] = []
    for pair in pairs:
        k, m = sql.Identifier("_dbr_s", pair.kept), sql.Identifier("_dbr_s", pair.masked)
        # a blank kept value is no evidence either way (GitLab's twitter NOT NULL
        # DEFAULT '': half the rows blank hid an exact copy in the other half)
        both = sql.SQL(
            "{k} IS NOT NULL AND {k}::text <> '' AND {m} IS NOT NULL AND length({m}) >= {n}"
        ).format(k=k, m=m, n=sql.Literal(MIN_LENGTH))
        counts += [
            sql.SQL("count(*) FILTER (WHERE {b})").format(b=both),
            sql.SQL("count(*) FILTER (WHERE {b} AND {k}::text = {m}::text)").format(
                b=both, k=k, m=m
            ),
            sql.SQL("count(*) FILTER (WHERE {b} AND lower({k}::text) = lower({m}::text))").format(
                b=both, k=k, m=m
            ),
            sql.SQL(
                "count(*) FILTER (WHERE {b} AND strpos(lower({k}::text), lower({m}::text)) > 0)"
            ).format(b=both, k=k, m=m),
            sql.SQL(
                "count(DISTINCT lower({m}::text)) FILTER"
                " (WHERE {b} AND strpos(lower({k}::text), lower({m}::text)) > 0)"
            ).format(b=both, k=k, m=m),
            *(
                sql.SQL("count(*) FILTER (WHERE {b} AND {k}::text = {f}({m}::text))").format(
                    b=both, k=k, m=m, f=sql.SQL(f)
                )
                for f in FILTERS
            ),
        ]
    query = sql.SQL("SELECT {} FROM {} AS _dbr_s").format(
        sql.SQL(", ").join(counts), spread_sample(table, rows)
    )
    [row] = sampled_rows(conn, query)
    return [
        _Pair(p.kept, p.masked, *(int(v) for v in row[_COUNTS * i : _COUNTS * (i + 1)]))
        for i, p in enumerate(pairs)
    ]


def _url_copy(
    table: Table,
    columns: dict[str, ColumnProposal],
    pair: _Pair,
    samples: Mapping[Ref, TextSample],
) -> bool:
    """`url_path` for kept web addresses holding the row's masked login after a path
    word ('/users/alice/inbox'), masked as the login column masks it."""
    kept, masked = (
        samples.get((table.qualified, pair.kept)),
        samples.get((table.qualified, pair.masked)),
    )
    source = columns[pair.masked]
    if (
        columns[pair.kept].masked
        or kept is None
        or masked is None
        or pair.inside < INSIDE_SHARE * pair.both
        or pair.equal >= COPY_SHARE * pair.both
        or source.strategy in NOT_COPIED
        or (words := url_logins.words_before(kept.values, masked.values)) is None
    ):
        return False
    seen = f"in {pair.inside} of {pair.both} sampled rows"
    held = f"the row's {pair.masked}"
    made = url_logins.proposal(table, pair.kept, source, words, held, seen)
    if made is None:
        return False
    columns[pair.kept] = made
    return True


def _judge(
    table: Table,
    columns: dict[str, ColumnProposal],
    pair: _Pair,
    *,
    constrained: bool,
    joined: bool,
) -> None:
    """A unique cased copy is rebuilt only by a template that stays injective (over a
    column differing in every row: _derived's fit check says so); a join column never."""
    if pair.both < MIN_ROWS:
        return
    source = columns[pair.masked]
    if columns[pair.kept].masked:  # (a masked column: only a cased copy is rebuilt)
        own = columns[pair.kept]
        if (
            not joined
            and own.strategy != "template"
            and pair.equal < COPY_SHARE * pair.both
            and (derived := _derived(table, pair, source)) is not None
        ):
            derived.why.append(f"not {own.strategy} of its own: the two would disagree")
            columns[pair.kept] = derived
        return

    def seen(count: int) -> str:
        return f"in {count} of {pair.both} sampled rows"

    if pair.equal >= COPY_SHARE * pair.both:
        if not constrained and source.strategy not in NOT_COPIED:
            columns[pair.kept] = ColumnProposal(
                pair.kept,
                source.strategy,
                dict(source.params),
                kind=source.kind,
                why=[
                    f"a copy of {pair.masked} ({seen(pair.equal)}): masked alike, so the "
                    "two still agree"
                ],
            )
            return
        why = "a key or join column" if constrained else f"{source.strategy} reads more than it"
        columns[pair.kept].why.append(
            f"REVIEW: a copy of {pair.masked} ({seen(pair.equal)}), which is masked; kept "
            f"({why}): mask it like {pair.masked} by hand"
        )
    elif pair.folded >= COPY_SHARE * pair.both:
        if not joined and (derived := _derived(table, pair, source)) is not None:
            columns[pair.kept] = derived
            return
        columns[pair.kept].why.append(
            f"REVIEW: {pair.masked} in another case ({seen(pair.folded)}), which is "
            "masked: derived from it? rebuild it in staging, or mask it (`null`)"
        )
    elif (
        pair.inside >= INSIDE_SHARE * pair.both
        and pair.inside_distinct >= DISTINCT_INSIDE_SHARE * pair.inside
    ):
        columns[pair.kept].why.append(
            f"REVIEW: holds the row's {pair.masked}, which is masked, inside it "
            f"({seen(pair.inside)}): kept, it tells what {pair.masked} hides"
        )


def _derived(table: Table, pair: _Pair, source: ColumnProposal) -> ColumnProposal | None:
    """A template rebuilding a lower- or upper-cased copy from the masked column
    (GitLab's username_lower = lower(username)): `{hash:username|lower}` computes what
    the masked column's rule gives, so the two still agree after masking. Only a rule
    with default parameters can be a template's part; None when it cannot be one, or
    the template does not fit the column (unique: unless the part's column differs in
    every row, its hash may collide)."""
    best, count = max(zip(FILTERS, (pair.lowered, pair.uppered), strict=True), key=lambda c: c[1])
    prefix = _lead(table, pair.masked, source)
    if (
        count < COPY_SHARE * pair.both
        or prefix is None
        or source.strategy in NOT_COPIED
        or source.strategy in TEMPLATE_FORBIDDEN
    ):
        return None
    lead = prefix.lower() if best == "lower" else prefix.upper()
    raw = {"template": f"{lead}{{{source.strategy}:{pair.masked}|{best}}}"}
    column = table.columns[pair.kept]
    context = column_context(table, column, unique=pair.kept in table.unique_columns())
    if not fits(get("template"), raw, context):
        return None
    return ColumnProposal(
        pair.kept,
        "template",
        raw,
        kind=source.kind,
        why=[
            f"{best}({pair.masked}) in {count} of {pair.both} sampled rows: rebuilt from the "
            "masked value, so the two still agree"
        ],
    )


def _lead(table: Table, masked: str, source: ColumnProposal) -> str | None:
    """The text a template writes before the source rule's part: none for a rule
    without parameters, the prefix of a `{hash, prefix: u}` rule (logins that must
    start with a letter); None where no template can follow the rule: other parameters,
    or a prefix that would shorten the hash (a column too short for 32 hex digits beside
    it), so the template's hash would differ from the rule's."""
    if not source.params:
        return ""
    prefix = source.params.get("prefix")
    if source.strategy != "hash" or set(source.params) != {"prefix"} or not prefix:
        return None
    limit = table.columns[masked].type.length
    if "{" in prefix or "}" in prefix or (limit is not None and limit - len(prefix) < DEFAULT_HEX):
        return None
    return str(prefix)
