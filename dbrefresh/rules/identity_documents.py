"""A person's identity documents: the document's number in a table of identifiers.

Apache Fineract's m_client_identifier(client_id, document_type_id -> m_code_value
'Passport', 'Id', 'Drivers License', document_key '20985411', 'A0001234') was kept: no
word of `document_key` names a national id, and the values' shapes (8 digits, a letter
and 7 digits) pass no national id test. A column named for a document's number or key
(`document_key`, `document_number`, `id_number`) in a table whose name says it holds
identifiers or identity documents (`*_identifier`, `*_identity_document`,
`*_id_document`) is such a number: masked like a national id. Outside such a table
`document_key` is as often a file's storage key, and stays as its values say.

Decision: `digits` with `letters: true` (a passport's 'A0001234' keeps its shape, its
letter masked too), unique: true under a unique constraint (Fineract's
UNIQUE(document_key, document_type_id)) as fitting gives every unique column. The same
numbers copied into JSON (Fineract's m_portfolio_command_source.command_as_json
`documentKey`) are no copies json_copies.py can see (digits only: not distinctive); a
key so named whose values are codes gets the same rule (JSON_RULE), so they are masked
alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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

# Tryton's party_identifier(party, type 'eu_vat'/'fr_siren'/'us_ssn'/'be_nn', code
# 'DE444975498'): the code is a tax or national number, validated per type by
# python-stdnum. Its generic name (`code`, `value`, `number`) says so only in a table of
# a person's or party's identifiers, or of tax numbers; a product_identifier's EAN is no
# one's. Masked with `digits` only: the country prefix ('DE') stays, as the type needs it.
_PARTY_ID_TABLES = re.compile(r"^(?P<owner>[a-z0-9_]+?)_(?:identifiers?|identifications?)$")
_TAX_ID_TABLES = re.compile(
    r"(?:^|_)(?:tax_ids?|tax_identifiers?|tax_numbers?|vat_ids?|vat_numbers?|"
    r"national_ids?|ssns?)$"
)
_OWNERS = re.compile(r"(?:^|_)(?:party|parties|partners?|persons?|people|individuals?)$")
_GENERIC_CODES = frozenset({"code", "value", "number", "identifier", "id_value"})
PARTY_REASON = (
    "`{norm}` in a table of a party's identifiers: a tax or national identification "
    "number, its digits masked and its country prefix kept"
)


def match(norm: str, table: str, about_people: Callable[[str], bool]) -> str | None:
    """Why a normalized column name in a normalized table name is an identity
    document's number (or a party's tax or national number), or None."""
    if norm in _NUMBERS and _TABLES.search(table):
        return REASON
    if norm not in _GENERIC_CODES:
        return None
    owner = _PARTY_ID_TABLES.match(table)
    owned = owner is not None and (
        bool(_OWNERS.search(owner["owner"])) or about_people(owner["owner"])
    )
    return PARTY_REASON.format(norm=norm) if owned or _TAX_ID_TABLES.search(table) else None


def with_letters(proposal: ColumnProposal) -> None:
    """A document number column proposed `digits`: `letters: true` (a passport's
    'A0001234' has its letter masked too), whatever the sample held, so the rule is the
    one the JSON copies get (JSON_RULE) and equal numbers are masked alike."""
    if proposal.strategy != "digits" or not any(REASON in why for why in proposal.why):
        return
    proposal.params = {**proposal.params, "letters": True}
    proposal.why.append("`digits` with `letters` masks a passport's letters too")


# Keys of a JSON document naming such a number (Fineract's command_as_json holds the
# API request {"documentTypeId": "2", "documentKey": "20985411"}): a plain `key` or
# `number` names anything, these only an identity document's
_JSON_KEYS = frozenset({"document_key", "document_number", "document_no", "id_number"})
_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?")
MIN_DIGITS = 3
# as the column's rule (unique there: under Fineract's unique key), so both agree
JSON_RULE = {"letters": True, "unique": True}


def json_key(key: str, values: Sequence[str]) -> str | None:
    """Why a JSON key and its sampled values are an identity document's number, or
    None: the key names one and every value is a code of three digits or more (a
    storage key 'docs/2021/scan.pdf' is none)."""
    norm = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
    sample = [v.strip() for v in values if v.strip()]
    if norm not in _JSON_KEYS or not sample:
        return None
    if not all(_CODE.fullmatch(v) and sum(c.isdigit() for c in v) >= MIN_DIGITS for v in sample):
        return None
    return (
        "key names an identity document's number and its values are codes: masked as "
        "the identifiers table's column is, so the copies agree"
    )
