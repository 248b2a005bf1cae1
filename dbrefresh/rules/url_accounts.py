"""Accounts and shared documents inside URLs, in `rules init`.

Canvas's submissions.url holds what students hand in: their pages
'https://loricampbell301.github.io/portfolio', 'https://sites.google.com/view/jose-
young-portfolio', and Google Docs share links. Each names its student, by a login made
of their name or the site's name, and a document's id opens the document: all kept with
no note, and verify flagged the names. No rule can find a name inside any path in SQL,
but where the account sits is known for the hosts people keep their pages at: the host's
first label at github.io, netlify.app..., the first folder at github.com, linkedin.com/in,
sites.google.com/view... An `sql` rule replaces that part by 'u<row key>' (a document's
id by 'doc<row key>'), the rest of each URL kept, when the sample holds several
accounts holding a known name (url_people's logins) or any shared document. Names left
in other paths (a first and a last name joined, as file names join them) get a REVIEW
note. Pure logic over a column's sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import file_names, pii, pii_values, url_people, url_tokens
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.rules.text_mentions import contacts_in

# Read by Python and PostgreSQL alike: group 1 what comes before the account, group 2
# the account, group 3 (hosts only) what follows it.
_PAGES = (
    r"github\.io|gitlab\.io|netlify\.app|vercel\.app|pages\.dev|herokuapp\.com|"
    r"wordpress\.com|blogspot\.com|tumblr\.com|substack\.com|wixsite\.com|weebly\.com"
)
HOST = rf"^(https?://)([a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?)(\.(?:{_PAGES})(?:[:/?#]|$))"
FOLDER = (
    r"^(https?://(?:www\.|[a-z]{2}\.)?(?:github\.com/|gitlab\.com/|bitbucket\.org/|"
    r"linkedin\.com/in/|twitter\.com/|x\.com/|instagram\.com/|facebook\.com/|behance\.net/|"
    r"dribbble\.com/|codepen\.io/|medium\.com/@|sites\.google\.com/(?:view|site)/))([^/?#]+)"
)
DOCUMENT = (
    r"^(https?://(?:docs|drive)\.google\.com/(?:(?:document|spreadsheets|presentation|file)"
    r"/(?:u/\d+/)?d/|forms/d/(?:e/)?|drive/(?:u/\d+/)?folders/))([A-Za-z0-9_-]{20,})"
)
_HOST = re.compile(HOST, re.IGNORECASE)
_FOLDER = re.compile(FOLDER, re.IGNORECASE)
_DOCUMENT = re.compile(DOCUMENT, re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_TOKENS = re.compile(url_tokens.PARAMETER, re.IGNORECASE)
MIN_ACCOUNTS = 3  # different accounts holding a name: one may be a word ('markdown')
NOTE_PEOPLE = 3  # different people named in other paths before a note
ROOM = 40  # characters 'u' or 'doc' and a key may add
# A column linking a row to its person: Canvas's submissions.user_id
_PERSON_LINK = re.compile(
    r"(?:^|_)(?:user|person|student|member|employee|customer|author|owner|creator|"
    r"profile|contact|patient|applicant)_?id$"
)


def _account(value: str) -> str | None:
    found = _HOST.match(value) or _FOLDER.match(value)
    return unquote(found[2]) if found else None


def account_in_folder(value: str) -> str | None:
    """The account in an address at a host of people's pages ('github.com/<login>')."""
    found = _FOLDER.match(value.strip())
    return unquote(found[2]) if found else None


def _rest(value: str) -> str:
    """The value with its accounts and documents replaced, as the rule replaces them."""
    text = _HOST.sub(r"\1u\3", value.strip())
    return _DOCUMENT.sub(r"\1doc", _FOLDER.sub(r"\1u", text))


def named_paths(values: Sequence[str]) -> tuple[int, int]:
    """Rows and different people named in the URLs' path segments: a first and a last
    name joined ('/view/jose-young-portfolio', '/people/anna.schmidt')."""
    people: set[str] = set()
    rows = 0
    for value in values:
        try:
            path = urlsplit(value.strip()).path
        except ValueError:
            continue
        found = set().union(*(file_names.people_in(s) for s in unquote(path).split("/") if s))
        rows += bool(found)
        people |= found
    return rows, len(people)


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    base: ColumnProposal | None,
    *,
    kept: bool,
) -> ColumnProposal | None:
    """An `sql` rule replacing the accounts and documents in a URL column (on top of
    `base`, url_params' or url_names' rule), a column otherwise `kept`'s REVIEW note for
    names in other paths, or `base` as it is."""
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or column.type.is_array or not column.type.is_text:
        return base
    if base is not None and base.strategy != "sql":
        return base  # magnet links' `url_query`: no expression to add to
    urls = [v for v in sample if _URL.match(v)]
    if 2 * len(urls) < len(sample):
        return base
    held = [a for v in urls if (a := _account(v)) and url_people.holds_a_name(a)]
    if len(held) < pii_values.EMBEDDED_THRESHOLD * len(sample):
        held = []  # a handful of accounts among many URLs: repositories, not people
    accounts = set(held)
    documents = sum(1 for v in urls if _DOCUMENT.match(v))
    rest = [_rest(v) for v in sample]
    rows, people = named_paths(rest)
    note = (
        f"REVIEW: {rows} of {len(sample)} sampled values name people in their path "
        f"({people} different, a first and a last name joined): no rule masks a name "
        "inside a path; an `sql` rule with regexp_replace can"
        if people >= NOTE_PEOPLE and rows >= pii_values.EMBEDDED_THRESHOLD * len(sample)
        else None
    )
    # (not in a table of packages or companies: a repository, a company's page)
    if (len(accounts) < MIN_ACCOUNTS and not documents) or not _of_people(table):
        if note is None or base is not None or not kept:
            return base
        return ColumnProposal(column.name, why=[note])
    if column.name in table.unique_columns() or any(map(contacts_in, rest)):
        return base  # another contact kept, or a unique column: the usual proposal
    if url_people.others_personal(rest, _URL.match):
        return base  # names elsewhere that made the column free text: its `lorem`
    if url_tokens.capability_urls([_TOKENS.sub(r"\1x", v) for v in rest]):
        return base  # other tokens in paths: the secret's rule
    if column.type.length is not None and max(map(len, sample)) + ROOM > column.type.length:
        return base
    return _rule(table, column, base, len(accounts), documents, note)


def _of_people(table: Table) -> bool:
    """A table about people, or whose rows belong to one (a `user_id`, `student_id`)."""
    if pii.about_people(pii.normalize(table.name)):
        return True
    return any(_PERSON_LINK.search(pii.normalize(c)) for c in table.columns)


def _rule(
    table: Table,
    column: Column,
    base: ColumnProposal | None,
    accounts: int,
    documents: int,
    note: str | None,
) -> ColumnProposal:
    keys = sorted(c for c in table.distinct_columns() if c != column.name)
    key = quote_ident(keys[0]) if keys else "''"
    own = quote_ident(column.name)
    inner = str(base.params["expression"]) if base is not None else own
    for pattern, made, after in (
        (HOST, "u", "\\3"),
        (FOLDER, "u", ""),
        (DOCUMENT, "doc", ""),
    ):
        inner = f"regexp_replace({inner}, '{pattern}', concat('\\1{made}', {key}, '{after}'), 'i')"
    changed = " OR ".join(
        f"regexp_replace({own}, '{p}', '', 'i') <> {own}" for p in (HOST, FOLDER, DOCUMENT)
    )
    if base is not None:
        changed = f"({base.params['changes_when']}) OR {changed}"
    made = f"<{keys[0]}>" if keys else ""
    why = [
        *(base.why if base is not None else ()),
        f"{accounts} different sampled accounts holding a name at hosts of people's pages "
        f"(github.io, github.com, sites.google.com/view...) and {documents} shared "
        f"documents: the account replaced by u{made}, a document's id by doc{made}, the "
        "rest of each URL kept",
        *((note,) if note else ()),
    ]
    params: dict[str, object] = {"expression": inner, "changes_when": changed}
    return ColumnProposal(column.name, "sql", params, kind="url", why=why)
