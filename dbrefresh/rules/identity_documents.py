"""A person's identity documents: the document's number in a table of identifiers.

Apache Fineract's m_client_identifier(client_id, document_type_id -> m_code_value
'Passport', 'Id', 'Drivers License', document_key '20985411', 'A0001234') was kept: no
word of `document_key` names a national id, and the values' shapes (8 digits, a letter
and 7 digits) pass no national id test. A column named for a document's number or key
(`document_key`, `document_number`, `id_number`) in a table whose name says it holds
identifiers or identity documents (`*_identifier`, `*_identity_document`,
`*_id_document`) is such a number: masked like a national id. Outside such a table
`document_key` is as often a file's storage key, and stays as its values say.

Decision: `digits`, with `letters: true` where a sampled number has a letter (a
passport's 'A0001234' keeps its shape, its letter masked too), unique: true under a
unique constraint (Fineract's UNIQUE(document_key, document_type_id)) as fitting gives
every unique column. The same numbers copied into JSON (Fineract's
m_portfolio_command_source.command_as_json `documentKey`) take this rule through
json_copies.py, so they are masked alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules.proposal import ColumnProposal

KIND = "national_id"
_TABLES = re.compile(
    r"(?:^|_)(?:identifiers?|identity_documents?|id_documents?|identification_documents?|"
    r"identity_cards?|id_cards?)$"
)
_NUMBERS = frozenset(
    {
        "document_key",
        "document_number",
        "document_no",
        "document_nr",
        "document_num",
        "doc_key",
        "doc_number",
        "doc_no",
        "id_number",
        "id_no",
        "identity_number",
        "identifier_number",
        "identification_number",
    }
)
REASON = "a document number in a table of identity documents: a national id or passport number"


def match(norm: str, table: str) -> str | None:
    """Why a normalized column name in a normalized table name is an identity
    document's number, or None."""
    return REASON if norm in _NUMBERS and _TABLES.search(table) else None


def with_letters(proposal: ColumnProposal, values: Sequence[str] | None) -> None:
    """A document number column proposed `digits`: `letters: true` where a sampled
    number has an ASCII letter (a passport's 'A0001234'), so the letters are masked too."""
    if proposal.strategy != "digits" or not any(REASON in why for why in proposal.why):
        return
    if not any(c.isascii() and c.isalpha() for v in values or () for c in v):
        return
    proposal.params = {**proposal.params, "letters": True}
    proposal.why.append("some numbers hold letters: `digits` with `letters` masks them too")
