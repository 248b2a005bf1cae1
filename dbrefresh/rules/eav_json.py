"""One key of a key/value table whose value column is JSON, judged for its `switch` case.

Listmonk's settings(key, value jsonb) holds 'upload.s3.aws_secret_access_key' as the
document '"wJalrXUtnFEMI/K7MDENG..."' and 'bounce.sendgrid_key' as '"SG.ngeV..."':
judged as one column, only the paths of its object documents were seen (`*.password`
of 'smtp'), and every secret that is a document of one string was kept. Per key, a
document that is one JSON string is judged by its text, like a text column named after
the key (its name, then value detectors: tokens, emails), and hashed whole when found
personal (`hash` makes it a JSON string again); other documents are judged like a JSON
column named after the key: the paths found personal are masked, and a key named for a
secret whose documents show no such path is hashed whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii
from dbrefresh.rules.document_rules import documents_rule
from dbrefresh.rules.fitting import choose, column_context
from dbrefresh.rules.hex_keys import NOT_CREDENTIAL_KEYS
from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.propose import ColumnProposal, propose_column
from dbrefresh.rules.quoted_values import quoted_rule
from dbrefresh.strategies.base import ColumnType, Strategy

TEXT = ColumnType("text", "text", "S")
# Characters of a JSON value the key/value sample reads: a cut document does not parse
MAX_JSON_CHARS = 8_192
MIN_TOKEN = 16  # characters of the shortest API key counted as one
_SPACE = re.compile(r"\s")
UNMET = "REVIEW: keys the sample did not meet are kept"


def judge_key(
    table: Table,
    name: str,
    value: Column,
    values: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """The rule for the values of one key, as if they were a column named `name`."""
    as_column = Column(name, value.num, value.type, False, generated=False, identity="")
    if not value.type.is_json and (quoted := _strings(values)) is not None:
        return _quoted_text(table, name, value, as_column, quoted, strategies)
    if not value.type.is_json:
        judged = propose_column(table, as_column, values, strategies, is_key=False)
        if judged.masked or (named := _credential_setting(name, values)) is None:
            return judged
        chosen = choose("secret", column_context(table, value, unique=False), strategies)
        if chosen is None:
            return judged
        return ColumnProposal(value.name, chosen[0], dict(chosen[1]), kind="secret", why=[named])
    strings = _strings(values)
    if strings is not None:
        as_text = replace(as_column, type=TEXT)
        judged = propose_column(table, as_text, strings, strategies, is_key=False)
        if not judged.masked and (named := _credential_setting(name, strings)) is not None:
            judged = ColumnProposal(value.name, "hash", {}, kind="secret", why=[named])
        if not judged.masked:
            return judged
        if judged.strategy == "private_key":  # a PEM key stays a key, as a JSON string
            return replace(judged, column=value.name, why=[*judged.why, "as a JSON string"])
        return ColumnProposal(
            value.name,
            "hash",
            {},
            kind=judged.kind,
            why=[*judged.why, "each value is one JSON string: hashed whole"],
        )
    judged = propose_column(table, as_column, values, strategies, is_key=False)
    if judged.strategy != "hash":
        return judged
    # a secret's name on objects or arrays: their personal paths, if the sample shows any
    paths = documents_rule(table, as_column, values, strategies)
    if paths.masked:
        paths.why.insert(0, f"{'; '.join(judged.why)}: masked path by path")
        return paths
    judged.why.append("no path of its documents looks personal: the document hashed whole")
    return judged


def _quoted_text(
    table: Table,
    name: str,
    value: Column,
    as_column: Column,
    texts: list[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal:
    """Values of a text column that are each one JSON string (Firefly III's account_meta
    .data '"DE89370400440532013000"'): judged by their text (quoted, the IBAN was not
    seen), and masked inside the quotes by their kind (quoted_values.py), so the
    application still reads JSON (`hash` on text writes bare hex, which json_decode refuses)."""
    judged = propose_column(table, as_column, texts, strategies, is_key=False)
    if not judged.masked and (named := _credential_setting(name, texts)) is not None:
        judged = ColumnProposal(value.name, "hash", {}, kind="secret", why=[named])
    if not judged.masked:
        return judged
    return quoted_rule(name, value.name, judged, texts)


def string_documents(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, Sequence[str]],
    strategies: Mapping[str, Strategy[Any]],
) -> None:
    """A kept JSON column (or text column holding JSON) whose sampled documents are each
    one string is judged by their text, as a key's are ('"SG.ngeV..."' is a SendGrid key;
    no jsonb path names it; a quoted IBAN in text is no IBAN to the value detectors)."""
    for column in table.columns.values():
        proposal = proposals.get(column.name)
        values = samples.get(column.name)
        if (
            proposal is None
            or proposal.masked
            or not values
            or not (column.type.is_json or _is_text(column))
            or column.generated
            or column.name in table.partition_key
            or _strings(values) is None
        ):
            continue
        judged = judge_key(table, column.name, column, values, strategies)
        if judged.masked:
            proposals[column.name] = judged


def _is_text(column: Column) -> bool:
    return column.type.category == "S" and not column.type.is_array


def _credential_setting(name: str, texts: Sequence[str]) -> str | None:
    """Why a setting named `<service>_key` ('bounce.mailgun_key') holding token-like
    strings is a credential (None: it is not): the column rules leave `*_key` alone
    (cache_key, sort_key), but among settings it is the service's API key."""
    words = pii.normalize(name).split("_")
    if len(words) < 2 or words[-1] not in {"key", "keys"} or set(words) & NOT_CREDENTIAL_KEYS:
        return None
    sample = [t for t in texts if t.strip()]
    if not sample or not all(len(t) >= MIN_TOKEN and not _SPACE.search(t) for t in sample):
        return None
    return f"a setting named `*_key` whose {len(sample)} sampled values look like tokens"


def with_whole_rule(switch: ColumnProposal, whole: ColumnProposal) -> ColumnProposal:
    """The switch, its keys the sample did not meet masked by the paths the column's
    documents showed as a whole (the rule the switch replaces), not kept."""
    if whole.strategy != "jsonb" or "default" in switch.params:
        return switch
    switch.params["default"] = rule_value(whole)
    unmet = (
        "REVIEW: keys the sample did not meet get the column's jsonb rule (`default`: the "
        "paths its sampled documents showed); list every key with `default: fail` to "
        "refuse new ones"
    )
    switch.why = [unmet if w.startswith(UNMET) else w for w in switch.why]
    return switch


def _strings(values: Sequence[str]) -> list[str] | None:
    """The texts of the documents when every one (JSON null aside) is one JSON string;
    None otherwise (objects, arrays, numbers, or a document that does not parse)."""
    texts: list[str] = []
    for value in values:
        try:
            doc = json.loads(value)
        except ValueError:
            return None
        if doc is None:
            continue
        if not isinstance(doc, str):
            return None
        texts.append(doc)
    return texts or None
