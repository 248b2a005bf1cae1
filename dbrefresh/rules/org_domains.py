"""Organisation domains of email addresses: `keep_domains` on every email rule.

Applications read the domain of addresses: a row-level policy or a generated column
`email_domain = lower(split_part(email, '@', 2))` decides what the app role sees, users
join their organisation by domain (`organization_domains.domain = 'acme.com'`), staff
are the '@ourcompany.example' addresses. Every address masked onto example.com broke
all of it: the tester's app role saw 602 contacts before masking and none after. A
domain is kept only where the database says it is an organisation's:

- it is a value of a domain-shaped column of another table (organisations.domain,
  tenants.email_domain, allowed_domains), and the sample holds MIN_LISTED_LOCALS or more
  distinct local parts at it; or
- a policy, generated column, CHECK or index expression reads the domain of the email
  column (split_part(email, '@', 2), a pattern after '@'), and the column's sample holds
  MIN_READ_LOCALS or more distinct local parts at it (the MAX_DOMAINS most frequent).

A domain with one address is a person's own (jurgen-schmidt.de): never kept. Freemail
domains (gmail.com) passing the bar are kept: shared by millions they name no one, and
the app's domain logic keeps working. The local parts are masked as always. Every email
rule gets the same list (columns, JSON paths, switch cases, XML elements and
attributes), so an address masks alike in every table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.role_addresses import ROLE_LOCAL_PARTS, SERVICE_LOCAL_PARTS
from dbrefresh.rules.rule_alike import containers
from dbrefresh.rules.sample import sampled_rows
from dbrefresh.rules.text_samples import Ref, TextSample

EMAIL = "email"
XML = "xml"
MIN_LISTED_LOCALS = 2  # a domain another table lists, at two people's addresses
MIN_READ_LOCALS = 3  # a domain only an expression reads: three people
MAX_DOMAINS = 50
DOMAIN_SHARE = 0.8  # of a column's sampled values shaped like a domain
FULL_SCAN_ROWS = 200_000  # a domain column's table asked whole up to this size
# Mailboxes of a role, not a person: one owner's info@ and kontakt@ are not two people
_ROLE_BOXES = re.compile(
    rf"(?:{SERVICE_LOCAL_PARTS}|{'|'.join(map(re.escape, ROLE_LOCAL_PARTS))}|"
    r"contact|kontakt|mail|hello|hallo|office|team|sales|billing)",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_BRACKETED = re.compile(r"<\s*([^<>\s]*@[^<>\s]+)\s*>\s*$")
# An expression reading what follows the '@': split_part(x, '@', 2), a pattern naming a
# domain after '@' ('%@acme.com', '@(.*)$'), the text cut at strpos(x, '@'), or
# everything up to '@' removed. A shape check (LIKE '%@%', '^[^@]+@[^@]+$') reads none.
_READS_DOMAIN = (
    re.compile(r"split_part\([^;]*?'@'(?:::text)?,\s*(?:2|-1)\)"),
    re.compile(r"'[^']*@[A-Za-z0-9(][^']*'"),
    re.compile(r"\"?(?:substr|substring|right)\"?\([^;]*(?:strpos|position)\([^;]*'@'"),
    re.compile(r"regexp_replace\([^;]*'[^']*@'"),
)
# Expressions of each table: policies, generated columns, CHECKs, expression indexes
_EXPRESSIONS = """
SELECT n.nspname || '.' || c.relname, e.expr
FROM (
  SELECT polrelid AS rel, pg_get_expr(polqual, polrelid) AS expr FROM pg_policy
  UNION ALL SELECT polrelid, pg_get_expr(polwithcheck, polrelid) FROM pg_policy
  UNION ALL SELECT d.adrelid, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE a.attgenerated <> ''
  UNION ALL SELECT conrelid, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'
  UNION ALL SELECT indrelid, pg_get_indexdef(indexrelid) FROM pg_index
    WHERE indexprs IS NOT NULL OR indpred IS NOT NULL
) e JOIN pg_class c ON c.oid = e.rel JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE e.expr IS NOT NULL AND e.expr LIKE '%@%'
"""


@dataclass
class _Seen:
    """Distinct local parts (lower case) per domain (lower case), and where."""

    locals_by_column: dict[Ref, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, ref: Ref, values: Iterable[str]) -> None:
        by_domain = self.locals_by_column.setdefault(ref, defaultdict(set))
        for local, domain in _addresses(values):
            by_domain[domain].add(local)

    def overall(self) -> dict[str, set[tuple[str, str]]]:
        """Per domain: the (table, local part) pairs met at it."""
        out: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for (table, _), by_domain in self.locals_by_column.items():
            for domain, parts in by_domain.items():
                out[domain] |= {(table, p) for p in parts}
        return out


def sampled(
    name: str, proposals: Mapping[str, ColumnProposal], samples: Mapping[str, Sequence[str]]
) -> dict[Ref, list[str]]:
    """The sampled values of the table's columns proposed `email`."""
    return {
        (name, column): list(samples.get(column) or ())
        for column, p in proposals.items()
        if p.strategy == EMAIL and samples.get(column)
    }


def keep_org_domains(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, Mapping[str, ColumnProposal]],
    addresses: Mapping[Ref, Sequence[str]],
    texts: Mapping[Ref, TextSample],
) -> None:
    """`keep_domains` on every email rule, with the organisation domains found."""
    seen = _Seen()
    for ref, values in addresses.items():
        seen.add(ref, values)
    read = _read_domains(conn, catalog, seen)
    listed = _listed_domains(conn, catalog, proposals, seen, texts)
    domains = sorted(set(read) | set(listed))
    if not domains:
        return
    whys = sorted(set(read.values()) | set(listed.values()))
    note = (
        f"keep_domains: {len(domains)} organisation domain(s) kept, local parts masked "
        f"({'; '.join(whys)}); a domain with one address is never kept"
    )
    for columns in proposals.values():
        for proposal in columns.values():
            if proposal.strategy == EMAIL:
                proposal.params["keep_domains"] = list(domains)
                proposal.why.append(note)
                continue
            if any([_add_domains(rules, domains) for rules in _nested(proposal)]):
                proposal.why.append(note)


def _nested(proposal: ColumnProposal) -> Iterator[MutableMapping[str, Any]]:
    """The rule mappings nested in a proposal: jsonb paths and switch cases, and an xml
    rule's elements, attributes and its `others`' paths. A supplier's address in an
    attribute (`<supplier email="orders@umbrella-supplies.de"/>`) went to example.com
    while the same address in supplier_contacts.email kept its domain."""
    yield from containers(proposal.params)
    if proposal.strategy != XML:
        return
    for key in ("elements", "attributes"):
        rules = proposal.params.get(key)
        if isinstance(rules, dict):
            yield rules
    others = proposal.params.get("others")
    if isinstance(others, dict):
        yield from containers(others)


def _add_domains(rules: MutableMapping[str, Any], domains: list[str]) -> bool:
    """`keep_domains` on each email rule of one mapping (a shorthand made a mapping)."""
    added = False
    for key, rule in rules.items():
        if rule == EMAIL or (isinstance(rule, dict) and rule.get("strategy") == EMAIL):
            base = rule if isinstance(rule, dict) else {"strategy": EMAIL}
            rules[key] = {**base, "keep_domains": list(domains)}
            added = True
    return added


def _addresses(values: Iterable[str]) -> Iterable[tuple[str, str]]:
    """(local part, domain), both lower case, of each personal address of each value
    (lists split at ',' or ';', a display name's bracketed address; no role mailbox)."""
    for value in values:
        for item in re.split(r"[,;]", value):
            text = item.strip()
            if (bracketed := _BRACKETED.search(text)) is not None:
                text = bracketed[1]
            local, at, domain = text.partition("@")
            if at and local and _DOMAIN.fullmatch(domain) and not _ROLE_BOXES.fullmatch(local):
                yield local.lower(), domain.lower()


def _read_domains(conn: psycopg.Connection[Any], catalog: Catalog, seen: _Seen) -> dict[str, str]:
    """Domains of email columns whose domain an expression reads, each with why."""
    found: dict[str, str] = {}
    readers = _domain_readers(conn, catalog, {ref for ref in seen.locals_by_column})
    for ref in sorted(readers):
        by_domain = seen.locals_by_column[ref]
        ranked = sorted(
            (d for d, parts in by_domain.items() if len(parts) >= MIN_READ_LOCALS),
            key=lambda d: (-len(by_domain[d]), d),
        )
        for domain in ranked[:MAX_DOMAINS]:
            found.setdefault(domain, f"an expression on {ref[0]} reads the domain of {ref[1]}")
    return found


def _domain_readers(conn: psycopg.Connection[Any], catalog: Catalog, refs: set[Ref]) -> set[Ref]:
    """The email columns a policy, generated column, CHECK or index reads the domain of."""
    if not refs:
        return set()
    try:
        rows = sampled_rows(conn, sql.Composed([sql.SQL(_EXPRESSIONS)]))
    except psycopg.Error:
        return set()
    readers: set[Ref] = set()
    for table, expression in rows:
        if not reads_domain(expression):
            continue
        for ref in refs:
            if _owner(catalog, ref[0]) == table and _names(expression, ref[1]):
                readers.add(ref)
    return readers


def reads_domain(expression: str) -> bool:
    """Whether a catalog expression reads what follows an address's '@'."""
    return any(p.search(expression) for p in _READS_DOMAIN)


def _owner(catalog: Catalog, name: str) -> str:
    """The table's own name, or its root's for a partition (expressions are the root's too)."""
    table = catalog.tables.get(name)
    return name if table is None or table.parent is None else _owner(catalog, table.parent)


def _names(expression: str, column: str) -> bool:
    """Whether the expression names the column (bare or quoted)."""
    quoted = re.escape('"' + column.replace('"', '""') + '"')
    bare = r"(?<![\w\".])" + re.escape(column) + r"(?![\w\"])"
    return re.search(quoted, expression) is not None or (
        column == column.lower() and re.search(bare, expression) is not None
    )


def _listed_domains(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, Mapping[str, ColumnProposal]],
    seen: _Seen,
    texts: Mapping[Ref, TextSample],
) -> dict[str, str]:
    """Domains at MIN_LISTED_LOCALS addresses that a kept domain-shaped column of a table
    other than theirs lists, each with why."""
    overall = seen.overall()
    candidates = {
        d: {t for t, _ in pairs}
        for d, pairs in overall.items()
        if len({p for _, p in pairs}) >= MIN_LISTED_LOCALS
    }
    if not candidates:
        return {}
    found: dict[str, str] = {}
    for (name, column), sample in sorted(texts.items()):
        proposal = proposals.get(name, {}).get(column)
        if proposal is None or proposal.strategy != "keep" or not _domain_shaped(sample):
            continue
        asked = sorted(d for d, tables in candidates.items() if tables - {name})
        for domain in _held(conn, catalog, name, column, asked, sample):
            found.setdefault(domain, f"{name}.{column} lists them")
    return found


def _domain_shaped(sample: TextSample) -> bool:
    """Whether most of the column's sampled values are bare domains."""
    values = [v for v in sample.values if v.strip()]
    shaped = sum(1 for v in values if _DOMAIN.fullmatch(v.strip()))
    return bool(values) and shaped >= DOMAIN_SHARE * len(values)


def _held(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    name: str,
    column: str,
    asked: list[str],
    sample: TextSample,
) -> list[str]:
    """Which of the domains (lower case) the column holds, in any case: asked of the
    whole table up to FULL_SCAN_ROWS (an organisation the sample missed still lists its
    domain), of the sample beyond."""
    if not asked:
        return []
    table = catalog.tables[name]
    if table.estimated_rows > FULL_SCAN_ROWS:
        return sorted(set(asked) & {v.strip().lower() for v in sample.values})
    query = sql.SQL(
        "SELECT DISTINCT lower(CAST({} AS text)) FROM {} WHERE lower(CAST({} AS text)) = ANY({})"
    ).format(
        sql.Identifier(column),
        sql.Identifier(table.schema, table.name),
        sql.Identifier(column),
        sql.Literal(asked),
    )
    try:
        return sorted(str(row[0]) for row in sampled_rows(conn, query))
    except psycopg.Error:
        return []
