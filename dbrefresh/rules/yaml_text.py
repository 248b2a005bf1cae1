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
from collections.abc import Iterator, Sequence
from typing import Any

import yaml

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import json_paths, named_documents
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.rules.serialized import is_yaml_document
from dbrefresh.strategies.jsonb_pathsyntax import is_wild, path_parts

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


def as_json(document: str) -> str:
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


def _indent(depth: int | None) -> str:
    """Any indentation, or Psych's (two spaces a level) at one depth."""
    return " *" if depth is None else f" {{{2 * depth}}}"


def _pattern(key: str, depth: int | None) -> str:
    """The key's line (a Ruby symbol's ':' allowed before it), with the lines continuing
    its value (deeper, or a list at its own depth)."""
    return rf"(\n)({_indent(depth)})(:?){key}:[^\n]*(\n\2( +|- )[^\n]*)*"


def _depth(key: str, personal: set[str], seen: set[tuple[str, int]]) -> tuple[bool, int | None]:
    """Whether the key can be masked by its lines, and at which depth (None: any). Where
    the same key holds something else at another depth (Zammad's notification matrix
    has `email: true`), only its personal depth is, when no list lies above it."""
    placed = [_key_place(path_parts(p)) for p in personal]
    depths = {depth for depth, _ in placed}
    if not {d for k, d in seen if k == key} - depths:
        return True, None
    if len(depths) != 1 or any(listed for _, listed in placed):
        return False, None
    return True, depths.pop()


def _key_place(parts: Sequence[str]) -> tuple[int, bool]:
    """The depth of a path's last key, and whether a list position lies above it."""
    at = max((i for i, p in enumerate(parts) if not p.isdigit()), default=0)
    return at, any(p.isdigit() for p in parts[:at])


def members(value: Any) -> Any:
    """A parsed document's (key, value) pairs: a mapping's items, a list's positions and
    elements, nothing for a scalar."""
    if isinstance(value, dict):
        return value.items()
    return enumerate(value) if isinstance(value, list) else ()


def _keys_seen(value: Any, depth: int = 0) -> Iterator[tuple[str, int]]:
    """Every key of a parsed document (a Ruby symbol's ':' aside), with its depth (list
    positions count)."""
    for key, inner in members(value):
        if isinstance(key, str):
            yield key.lstrip(":"), depth
        yield from _keys_seen(inner, depth + 1)


def _last_key(path: str) -> str:
    """The path's last key, a Ruby symbol's ':' aside (Canvas's ':text', written
    `:text:` on its line, which the key's pattern allows)."""
    parts = reversed(path_parts(path))
    return next((p for p in parts if not p.isdigit() and not is_wild(p)), "").lstrip(":")


def proposal(table: Table, column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """The rule for a column of YAML documents (an `sql` rule masking personal keys, or
    `keep` with notes), or None when its values are no YAML documents."""
    if not column.type.is_text or column.type.is_array:
        return None
    documents = yaml_documents(values)
    if documents is None:
        return None
    texts = [as_json(d) for d in documents]
    read = json_paths.read_documents(texts)
    seen = {k for t in texts for k in _keys_seen(json.loads(t))}
    keys: dict[str, tuple[str, int | None]] = {}
    why = [f"its {len(documents)} sampled values are YAML documents, judged key by key"]
    if strays := sum(1 for v in values or () if v.strip()) - len(documents):
        why.append(f"REVIEW: {strays} other sampled values are no YAML document, kept as they are")
    unmaskable: list[str] = []
    findings = named_documents.judged(read.paths, table.qualified, column.name, read.factors)
    for found in findings:
        key = _last_key(found.path)
        personal = {f.path for f in findings if _last_key(f.path) == key}
        maskable, depth = _depth(key, personal, seen) if key else (False, None)
        if _KEY.fullmatch(key) and maskable:
            masked = MASKED_FOR.get(found.kind, MASKED)
            if all(path_parts(p)[-1].isdigit() for p in personal):  # a list stays one
                masked = f"\\1\\2- {masked}"
            else:
                masked = f" {masked}"
            keys.setdefault(key, (masked, depth))
            why.append(f"{found.path}: {found.reason}")
        else:
            unmaskable.append(found.path)
    longest = max(map(len, documents))
    fits = column.type.length is None or longest + ROOM * len(keys) <= column.type.length
    if keys and (column.name in table.unique_columns() or not fits):
        unmaskable += sorted(keys)
        keys = {}
    if unmaskable:
        why.append(
            f"REVIEW: personal keys ({', '.join(sorted(unmaskable))}) that no rule "
            "rewriting their lines fits (a unique or short column, keys no pattern names, "
            "or a key holding other data elsewhere): kept; an `sql` rule with "
            "regexp_replace per key can mask them"
        )
    if not keys:
        return ColumnProposal(
            column.name, why=why if unmaskable else [*why, "no key looks personal: kept"]
        )
    return key_rule(column.name, keys, why)


def key_rule(
    column: str, keys: dict[str, tuple[str, int | None]], why: list[str]
) -> ColumnProposal:
    """The `sql` rule rewriting each key's value (' masked', at a depth or any) on its
    lines, so every document still parses."""
    own = expression = quote_ident(column)
    for key, (masked, depth) in sorted(keys.items()):
        written = f"\\1\\2\\3{key}:{masked}"
        expression = f"regexp_replace({expression}, '{_pattern(key, depth)}', '{written}', 'g')"
    lines = "|".join(f"{_indent(depth)}:?{key}" for key, (_, depth) in sorted(keys.items()))
    changed = f"regexp_replace({own}, '\\n({lines}):', '') <> {own}"
    why.append(
        "each personal key's value becomes 'masked' (an address 'masked@example.invalid', "
        "an IP address 192.0.2.1, a coordinate 0.0), "
        "so every document still parses; REVIEW: keys the sample did not meet are kept"
    )
    return ColumnProposal(
        column,
        "sql",
        {"expression": expression, "changes_when": changed},
        kind="yaml",
        why=why,
    )
