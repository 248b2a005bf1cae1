"""`rules init` against CHECK constraints: no proposal anonymize's preflight refuses.

A proposal is picked by name and values, and compiled; but `email` for a column under
`CHECK (email LIKE '%@acme.com')`, or `phone` under `CHECK (phone ~ '^\\+49')`, made
the nightly anonymize exit 2 on its preflight. So each table with a validated CHECK
constraint reading a masked column (its own or a domain's) has its sample masked with
the proposals and every such constraint evaluated on it (rules/checkfit.py), inside a
transaction that is rolled back: the masking functions are installed in it and gone
after, nothing else is written. A column whose masked values break one gets the next
strategy that keeps more of the value's form (the sampled domain for email, the lead
for phone and digits, `digits`, `partial`, `hash` of the values' length; for a login
or a name a shorter `hash` first, and never one keeping most of the letters), compiled and
tested again; when none passes it is kept with a REVIEW note naming the constraint.
Tables without such a constraint cost nothing but a look at the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, Table
from dbrefresh.findings import Finding
from dbrefresh.rules.checkfit import (
    RULES_CHECK_SEED,
    Break,
    breaks,
    checked_relations,
    masking_functions,
    relation_checks,
)
from dbrefresh.rules.fit_hiding import hash_options, keeps_letters
from dbrefresh.rules.plan import Plan
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.propose_keys import Proposals, fk_groups
from dbrefresh.rules.sample import sample_values

Ref = tuple[str, str]  # (root table, column)
Option = tuple[str, dict[str, Any]]  # (strategy, parameters)
CompileNow = Callable[[], "Plan | list[Finding]"]
MAX_ROUNDS = 12
MAX_LEAD = 4  # characters of a shared lead a phone or digits rule may keep
MAX_SUFFIX = 16  # characters of a shared ending `partial` may keep ('@acme.com')


def constrained(conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals) -> set[str]:
    """Root tables with a masked column a validated CHECK constraint reads: a domain's
    (the catalog says), or the table's or a partition's (one query for all the tables
    the catalog gives CHECK constraints)."""
    out = set()
    asked: dict[str, list[str]] = {}
    roots: dict[str, str] = {}
    for name, columns in proposals.items():
        table = catalog.tables[name]
        masked = [c for c, p in columns.items() if p.masked]
        if any(table.columns[c].type.checked for c in masked):
            out.add(name)
            continue
        relations = [table, *catalog.partitions_of(name)] if table.partitioned else [table]
        for relation in relations:
            if masked and relation.checks:
                asked[relation.qualified] = masked
                roots[relation.qualified] = name
    return out | {roots[r] for r in checked_relations(conn, asked)}


def fit_to_checks(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Proposals,
    compile_now: CompileNow,
    sample_rows: int,
) -> bool:
    """Change the proposals whose masked sample breaks a CHECK constraint; True if any
    changed (or got a note). compile_now renders and compiles the current proposals."""
    tables = constrained(conn, catalog, proposals)
    if not tables:
        return False
    fitting = _Fitting(conn, catalog, proposals, sample_rows)
    # a fixed seed, rules check's: the same file on every run, and proposals tested on
    # the values `rules check` and anonymize's preflight test them on
    with masking_functions(conn, RULES_CHECK_SEED) as refused:
        if refused:  # a read-only role or a standby: say so, change nothing
            fitting.untested(tables, refused)
            return True  # the notes say so
        fitting.run(tables, compile_now)
    return bool(fitting.tried)


@dataclass
class _Tried:
    """A column being fitted: what it was proposed first, and what is left to try."""

    strategy: str
    params: dict[str, Any]
    why: list[str]
    options: list[Option]
    broke: str = ""


@dataclass
class _Fitting:
    conn: psycopg.Connection[Any]
    catalog: Catalog
    proposals: Proposals
    sample_rows: int
    tried: dict[Ref, _Tried] = field(default_factory=dict)
    followers: dict[Ref, list[str]] = field(default_factory=dict)  # their first notes
    groups: dict[Ref, list[Ref]] | None = None  # foreign-key groups, read when needed
    dirty: set[str] = field(default_factory=set)  # tables to test again

    def run(self, tables: set[str], compile_now: CompileNow) -> None:
        self.dirty = set(tables)
        for _ in range(MAX_ROUNDS):
            result = compile_now()
            if isinstance(result, list):  # an option the compiler refuses: the next one
                refused = {self._ref(f): f.message for f in result}
                moved = [r for r in refused if r in self.tried and self._masked(r)]
                if not moved:
                    return  # not ours: init's repair turns it into keep
                for ref in moved:
                    self.dirty.add(ref[0])
                    self._next(ref, None)
                continue
            broken = self._broken(result, self.dirty)
            if not broken:
                return
            self.dirty = {ref[0] for ref in broken}
            for ref, brk in broken.items():
                self._next(ref, brk)
        for ref in self.tried:  # out of rounds: nothing unproven stays masked
            if self._masked(ref):
                self._keep(ref)

    def untested(self, tables: set[str], reason: str) -> None:
        """A REVIEW note on each masked column a CHECK constraint reads, naming them."""
        for name in sorted(tables):
            table = self.catalog.tables[name]
            masked = [c for c, p in self.proposals[name].items() if p.masked]
            relations = self.catalog.partitions_of(name) if table.partitioned else [table]
            reading: dict[str, set[str]] = {}
            for relation in relations:
                for check in relation_checks(self.conn, relation.qualified, masked):
                    for column in check.columns:
                        reading.setdefault(column, set()).add(f'"{check.name}"')
            for column, checks in reading.items():
                self.proposals[name][column].why.append(
                    f"REVIEW: not tested against CHECK constraint(s) {', '.join(sorted(checks))}"
                    f" (the masking functions could not be installed: {reason})"
                )

    def _ref(self, finding: Finding) -> Ref | None:
        key = finding.location.key or ""
        for name in self.proposals:
            if key.startswith(name + ".") and key[len(name) + 1 :] in self.proposals[name]:
                return (name, key[len(name) + 1 :])
        return None

    def _masked(self, ref: Ref | None) -> bool:
        return ref is not None and self.proposals[ref[0]][ref[1]].masked

    def _broken(self, plan: Plan, dirty: set[str]) -> dict[Ref, Break]:
        """Each masked column of the dirty tables a CHECK constraint refuses on the
        sample, with the first constraint it breaks."""
        out: dict[Ref, Break] = {}
        for step in plan.steps:
            if step.rule_table not in dirty or step.sample_select is None:
                continue
            columns = [m.column for m in step.masked]
            try:
                with self.conn.transaction():
                    checks = relation_checks(self.conn, step.relation, columns)
                    found = breaks(self.conn, step.sample_select, checks)
            except psycopg.Error:  # not a constraint's doing: anonymize names it
                continue
            for brk in found:
                for column in brk.check.columns:
                    ref = (step.rule_table, column)
                    if ref[1] in self.proposals.get(ref[0], {}) and self._masked(ref):
                        out.setdefault(ref, brk)
        return out

    def _next(self, ref: Ref, brk: Break | None) -> None:
        """The column's next option, or keep when none is left."""
        proposal = self.proposals[ref[0]][ref[1]]
        tried = self.tried.get(ref)
        if tried is None:
            table = self.catalog.tables[ref[0]]
            values = self._values(table, ref[1])
            tried = _Tried(
                proposal.strategy,
                dict(proposal.params),
                list(proposal.why),
                options(proposal, table, values),
            )
            self.tried[ref] = tried
        if brk is not None and not tried.broke:
            tried.broke = brk.check.describe()
        if not tried.options:
            self._keep(ref)
        else:
            proposal.strategy, proposal.params = tried.options.pop(0)
            proposal.unique = proposal.unique or bool(tried.params.get("unique"))
            instead = (
                "with these parameters it"
                if proposal.strategy == tried.strategy
                else proposal.strategy
            )
            proposal.why = [
                *tried.why,
                f"{tried.strategy} broke {tried.broke} on the sample; {instead} keeps to it",
            ]
        self.dirty |= self._follow(ref)

    def _keep(self, ref: Ref) -> None:
        proposal = self.proposals[ref[0]][ref[1]]
        tried = self.tried[ref]
        proposal.why = [
            *tried.why,
            f"REVIEW: {tried.strategy} masks values that break {tried.broke or 'a CHECK'}, "
            "and no other strategy tried keeps to it: kept (mask it with a rule that does)",
        ]
        proposal.strategy, proposal.params, proposal.unique = "keep", {}, False

    def _follow(self, ref: Ref) -> set[str]:
        """The columns a foreign key ties to `ref` masked alike (the compiler refuses
        two sides masked differently): the tables changed."""
        if self.groups is None:
            self.groups = {r: group for group in fk_groups(self.catalog) for r in group}
        lead = self.proposals[ref[0]][ref[1]]
        changed = set()
        for member in self.groups.get(ref, []):
            proposal = self.proposals.get(member[0], {}).get(member[1])
            if member == ref or proposal is None or member in self.tried:
                continue
            why = self.followers.setdefault(member, list(proposal.why))
            if not (proposal.masked or lead.masked) and why == proposal.why:
                continue
            proposal.strategy, proposal.params = lead.strategy, dict(lead.params)
            if proposal.params.get("by") == ref[1]:  # a switch keyed by its own column
                proposal.params["by"] = member[1]
            proposal.unique = lead.unique
            note = "masked" if lead.masked else "REVIEW: kept"
            proposal.why = [*why, f"{note} as {ref[0]}.{ref[1]}, which a foreign key ties it to"]
            changed.add(member[0])
        return changed

    def _values(self, table: Table, column: str) -> list[str]:
        try:
            return sample_values(self.conn, table, [column], self.sample_rows)[column]
        except psycopg.Error:
            return []


def options(proposal: ColumnProposal, table: Table, values: list[str]) -> list[Option]:
    """Strategies to try in turn when the proposal's values break a constraint: for a
    login or a name, shorter hashes first (rules/fit_hiding.py); then each keeping more
    of the values' form (none that keeps most of the values' letters): the one domain
    every sampled email has, the lead all sampled values share (phone, digits), every
    non-digit (digits), the length and shared ending (partial), the length (hash); a
    date or timestamp is truncated to its year, then its month, instead (on or before
    the original: an upper bound such as `birth_date <= current_date` holds)."""
    column = table.columns[proposal.column]
    if column.type.is_datetime:
        dated: list[Option] = [("generalize", {"truncate": u}) for u in ("year", "month")]
        return [o for o in dated if o != (proposal.strategy, proposal.params)]
    if not values or not column.type.is_text:
        return []
    unique = proposal.unique or bool(proposal.params.get("unique"))
    kept = {k: v for k, v in proposal.params.items() if k != "unique"}
    # a shorter hash first for a login or a name (rules/fit_hiding.py)
    out = hash_options(proposal.strategy, kept, proposal.kind, values, unique)
    if proposal.strategy == "email":
        domains = {v.rpartition("@")[2] for v in values}
        if len(domains) == 1 and all("@" in v for v in values):
            out.append(("email", {**kept, "domain": domains.pop()}))
    lead = _shared_start(values)[:MAX_LEAD]
    if all(any(ch.isdigit() for ch in v) for v in values):
        name = proposal.strategy if proposal.strategy in {"phone", "digits"} else "digits"
        out += [(name, {"keep_prefix": k}) for k in range(1, len(lead) + 1)]
        if name != "digits":
            out.append(("digits", {}))
    ending = min(len(_shared_start([v[::-1] for v in values])), MAX_SUFFIX)
    if not unique:
        out.append(("partial", {"keep_last": ending} if ending else {"keep_first": 1}))
    lengths = {len(v) for v in values}
    if len(lengths) == 1 and 1 <= (n := lengths.pop()) <= 64:
        out.append(("hash", {"length": n}))
    return [
        o
        for o in out
        if o != (proposal.strategy, kept) and not keeps_letters(o, values, proposal.kind)
    ]


def _shared_start(values: list[str]) -> str:
    """The characters every value starts with."""
    first, last = min(values), max(values)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
