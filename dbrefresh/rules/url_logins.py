"""Web addresses naming an account by its login in their path, for `rules init`.

Akkoma's `users.ap_id`, `inbox` and `follower_address` ('https://social.example/users/
alice/inbox'), Lemmy's '/u/alice', Misskey's '/@alice' hold the row's login (or another
table's) after a fixed word of the path. Kept, they gave every masked login away (a
REVIEW note said so, and verify failed on them); `lorem` lost the address and its joins.
When most sampled addresses hold a known login right after a path word or an '@', the
column gets `url_path` with the login column's own rule: the login masked in place, as
the login column masks it, so the two still agree. Pure logic over sampled values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.registry import get
from dbrefresh.strategies.url_path import AT, WORD

SHARE = 0.5  # of the sampled addresses, holding a login after a path word
MIN_VALUES = 5
MIN_LOGINS = 5  # different logins found: a few words that are also logins ('latest') are not
WORD_SHARE = 0.05  # of those, after this word: the word is listed
MAX_WORDS = 4
SCHEMES = ("https://", "http://")
# Path words accounts are addressed by (ActivityPub servers, forums, profile pages);
# after others ('/guides/latest', '/en/faq') a login-like word is a page, not a person
ACCOUNT_WORDS = frozenset(
    {AT, "users", "user", "u", "people", "person", "profile", "profiles", "members",
     "member", "accounts", "account", "author", "authors", "actors", "actor", "~"}
)  # fmt: skip


def words_before(values: Iterable[str], logins: Collection[str]) -> list[str] | None:
    """The path words ('users', '@') after which most of these addresses hold one of
    `logins`, or None when they do not (too few addresses, or logins elsewhere)."""
    found: Counter[str] = Counter()
    different: set[str] = set()
    addresses = 0
    for value in values:
        if not value.startswith(SCHEMES):
            continue
        addresses += 1
        held = _login_after_word(value, logins)
        if held is not None:
            found[held[0]] += 1
            different.add(held[1])
    hits = sum(found.values())
    if addresses < MIN_VALUES or hits < SHARE * addresses or len(different) < MIN_LOGINS:
        return None
    words = sorted(w for w, n in found.items() if n >= WORD_SHARE * hits)
    if len(words) > MAX_WORDS or any(w != AT and not WORD.fullmatch(w) for w in words):
        return None  # logins after all sorts of words: no account addresses
    return words


def _login_after_word(value: str, logins: Collection[str]) -> tuple[str, str] | None:
    """The account word and the login after it in an address's path, if any."""
    path = value.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    segments = path.split("/")[1:]  # the host first
    for before, segment in zip(["", *segments], segments, strict=False):
        login = segment[1:].split(AT, 1)[0]
        if segment.startswith(AT) and login in logins:
            return AT, login
        if before.lower() in ACCOUNT_WORDS and segment in logins:
            return before, segment
    return None


def url_rule(words: list[str], source: ColumnProposal) -> dict[str, Any]:
    """The url_path parameters masking the login as the `source` column's rule does."""
    return {"after": words, "rule": source.nested_rule}


def proposal(
    table: Table, column: str, source: ColumnProposal, words: list[str], held: str, seen: str
) -> ColumnProposal | None:
    """`url_path` for a column of addresses holding `held`'s logins (seen as `seen` says),
    or None when the rule does not fit the column."""
    raw = url_rule(words, source)
    unique = column in table.unique_columns()
    if not fits(get("url_path"), raw, column_context(table, table.columns[column], unique=unique)):
        return None
    after = ", ".join(repr(w) for w in words)
    why = f"web addresses holding {held} after {after} ({seen}): that part masked like {held}"
    return ColumnProposal(
        column, "url_path", raw, kind=source.kind, why=[f"{why}, so the two still agree"]
    )
