"""YAML documents kept in text columns (Rails' `serialize` and `store`), in `rules init`.

Zammad's users.preferences holds '--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess'
followed by keys, a few of them personal ('out_of_office_text: Vertretung: Anna Weber
(anna@mail.example)'). Judged as free text or file names the whole column got `lorem`
or `file_name`, and no row parsed as YAML any more. A text column whose sampled values
are all YAML documents ('---' first) is judged key by key, like JSON kept in text
(json_text.py): an `sql` rule rewrites the value of each personal key on its line (and
the lines continuing it) to 'masked', so every document still parses; with no personal
key, or when no such rule fits, the column is kept with a note. Pure logic over the
sample.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import json_paths, named_documents
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.serialized import is_yaml_document
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

STRAY_SHARE = 0.02  # sampled values allowed to be no YAML document (a legacy row or two)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
MASKED = "masked"
MASKED_FOR = {"email": "masked@example.invalid", "ip": "192.0.2.1", "geo": "0.0"}
ROOM = 30  # characters a masked value may add to a document


class _Loader(yaml.SafeLoader):
    """A safe loader reading Ruby's tagged objects as the plain YAML they are."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _untagged)


def yaml_documents(values: Sequence[str] | None) -> list[str] | None:
    """The sampled documents when (nearly) every non-blank value is one, else None."""
    sample = [v for v in values or () if v.strip()]
    documents = [v for v in sample if is_yaml_document(v)]
    if not documents or len(sample) - len(documents) > STRAY_SHARE * len(sample):
        return None
    return documents


# A key and its value on one line, for documents that do not parse
_LINE = re.compile(r"^ *(?:- )?:?([A-Za-z_][A-Za-z0-9_-]*): +([^!&*|>\s].*)$", re.MULTILINE)


def _as_json(document: str) -> str:
    """The document as JSON; one cut in its middle by the sample (or not plain YAML)
    as the keys and values of its lines, so its contacts are still judged."""
    try:
        parsed = yaml.load(document, Loader=_Loader)  # noqa: S506 (a safe loader)
        return json.dumps(parsed, default=str)
    except (yaml.YAMLError, ValueError, TypeError):
        lines: dict[str, str] = {}
        for key, value in _LINE.findall(document):
            lines.setdefault(key, value.strip().strip("'\""))
        return json.dumps(lines)


def _pattern(key: str) -> str:
    """The key's line, at any depth (a Ruby symbol's ':' allowed before it), with the
    lines continuing its value (deeper, or a list at its own depth)."""
    return rf"(\n)( *)(:?){key}:[^\n]*(\n\2( +|- )[^\n]*)*"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def proposal(table: Table, column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """The rule for a column of YAML documents (an `sql` rule masking personal keys, or
    `keep` with notes), or None when its values are no YAML documents."""
    if not column.type.is_text or column.type.is_array:
        return None
    documents = yaml_documents(values)
    if documents is None:
        return None
    read = json_paths.read_documents([_as_json(d) for d in documents])
    keys: dict[str, str] = {}
    why = [f"its {len(documents)} sampled values are YAML documents, judged key by key"]
    unmaskable: list[str] = []
    for found in named_documents.judged(read.paths, table.qualified, column.name):
        key = next((p for p in reversed(path_parts(found.path)) if not p.isdigit()), "")
        if _KEY.fullmatch(key):
            keys.setdefault(key, MASKED_FOR.get(found.kind, MASKED))
            why.append(f"{found.path}: {found.reason}")
        else:
            unmaskable.append(found.path)
    longest = max(map(len, documents))
    fits = column.type.length is None or longest + ROOM * len(keys) <= column.type.length
    if unmaskable or (keys and (column.name in table.unique_columns() or not fits)):
        held = ", ".join(sorted({*unmaskable, *keys}))
        return ColumnProposal(
            column.name,
            why=[
                *why,
                f"REVIEW: personal keys ({held}) that no rule rewriting their lines fits "
                "(a unique or short column, or keys no pattern names): kept; an `sql` "
                "rule with regexp_replace per key can mask them",
            ],
        )
    if not keys:
        return ColumnProposal(column.name, why=[*why[:1], "no key looks personal: kept"])
    own = expression = _quote(column.name)
    for key, masked in sorted(keys.items()):
        written = f"\\1\\2\\3{key}: {masked}"
        expression = f"regexp_replace({expression}, '{_pattern(key)}', '{written}', 'g')"
    lines = rf"\n *:?({'|'.join(sorted(keys))}):"
    changed = f"regexp_replace({own}, '{lines}', '') <> {own}"
    why.append(
        "each personal key's value becomes 'masked' (an address 'masked@example.invalid', "
        "an IP address 192.0.2.1, a coordinate 0.0), "
        "so every document still parses; REVIEW: keys the sample did not meet are kept"
    )
    return ColumnProposal(
        column.name,
        "sql",
        {"expression": expression, "changes_when": changed},
        kind="yaml",
        why=why,
    )
