"""Accounting tables named after `account`: a ledger's, not a person's account.

`accounts` names a table of people (Mastodon's, Chatwoot's user accounts), so `name` in
it is a person's name. Tryton's and Odoo's accounting module prefixes its tables with
`account_`: account_account.name ('Receivable', 'Revenue') is the chart of accounts,
account_move_line, account_journal, account_tax are bookkeeping. A table whose only
people word is `account(s)` is about a ledger when another of its words is
bookkeeping's, or when it is the module's own `account_account` (and its template).
"""

from __future__ import annotations

_ACCOUNT_WORDS = frozenset({"account", "accounts"})
_BOOKKEEPING_WORDS = """
    move moves journal journals ledger ledgers gl tax taxes invoice invoices analytic
    chart charts coa fiscalyear fiscal period periods reconcile reconciliation statement
    statements payment payments bank balance balances entry entries posting postings
    budget budgets asset assets depreciation"""
_BOOKKEEPING = frozenset(_BOOKKEEPING_WORDS.split())
_CHARTS = frozenset({"account_account", "account_account_template", "account_account_type"})


def ledger(table_name: str, people_words: frozenset[str]) -> bool:
    """Whether a normalized table name whose people words are `people_words` is a
    bookkeeping table of accounts, not of people's accounts."""
    if not people_words or not people_words <= _ACCOUNT_WORDS:
        return False
    return table_name in _CHARTS or bool(set(table_name.split("_")) & _BOOKKEEPING)
