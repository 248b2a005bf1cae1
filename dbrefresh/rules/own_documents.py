"""Serialized documents naming their own person (own_names.py), in `rules init`.

Canvas's quiz_submissions.submission_data is Rails `serialize` YAML: a list of hashes
whose `:text:` holds the student's answer, naming the student. Counted as free text
naming its person, the column got `lorem`: plain words where the application's YAML
loader wants an Array. A column whose sampled values are all documents (YAML, JSON,
PHP-serialised) is judged key by key instead: the keys whose string values name the
row's own person are found in the sample; in YAML documents their lines are rewritten
to 'masked' (yaml_text.py's rule), so every row still parses; in other formats, or
where a key also holds lists or hashes, the column is kept with a REVIEW note naming
the keys. Pure logic over the sample.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dbrefresh.rules import php_parse, yaml_text
from dbrefresh.rules.fitting import fits
from dbrefresh.rules.php_serialized import is_serialized
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.serialized import is_yaml_document
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, join_path, nameable

_WORD = re.compile(r"[^\W\d_]+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
CUT = 2000  # characters of a value the sample reads (own_names.py)
FORMATS = {"yaml": "YAML documents", "php": "PHP-serialised values", "json": "JSON documents"}


@dataclass
class Documents:
    """What a column's sampled values are as documents, and which keys name a person."""

    formats: Counter[str] = field(default_factory=Counter)
    named: Counter[str] = field(default_factory=Counter)  # key -> rows it names its person
    nested: set[str] = field(default_factory=set)  # keys holding lists or hashes somewhere
    paths: Counter[str] = field(default_factory=Counter)  # JSON path -> rows naming them

    def read(self, value: str, words: set[str]) -> None:
        """Count the value's format and the keys whose strings hold one of the words."""
        kind, parsed = _parse(value)
        if kind is None:
            return
        self.formats[kind] += 1
        named: set[str] = set()
        paths: set[str] = set()
        self._walk(parsed, words, named, (paths, ()))
        self.named.update(named)
        if kind == "json":
            self.paths.update(paths)

    def _walk(
        self,
        value: Any,
        words: set[str],
        named: set[str],
        at: tuple[set[str], tuple[str | None, ...]],
    ) -> None:
        """Note the keys (and JSON paths, None an array's element) naming the words."""
        paths, parts = at
        for key, inner in yaml_text.members(value):
            inside = (*parts, key if isinstance(key, str) else None)
            if isinstance(key, str):
                key = key.lstrip(":")  # a Ruby symbol, ':text'
                if isinstance(inner, dict | list):
                    self.nested.add(key)
                elif isinstance(inner, str) and words & set(_WORD.findall(inner)):
                    named.add(key)
                    if all(p is None or nameable(p) for p in inside):  # no key named `*`
                        paths.add(join_path(WILDCARD if p is None else p for p in inside))
            self._walk(inner, words, named, (paths, inside))

    def format_of(self, sampled: int) -> str | None:
        """The one format every sampled value is in, or None."""
        if len(self.formats) != 1:
            return None
        kind, count = next(iter(self.formats.items()))
        return kind if count == sampled else None


def _parse(value: str) -> tuple[str | None, Any]:
    text = value.lstrip()
    try:
        if is_yaml_document(text):
            return "yaml", json.loads(yaml_text.as_json(value))
        if is_serialized(text):
            parsed = php_parse.as_json(value)
            return ("php", json.loads(parsed)) if parsed is not None else ("php", None)
        if text.startswith(("{", "[")):
            parsed = json.loads(value)
            return ("json", parsed) if isinstance(parsed, dict | list) else (None, None)
    except ValueError:
        if is_serialized(text):
            return "php", None
        cut = text.startswith(("{", "[")) and len(value) >= CUT  # judged by its start
        return ("json", None) if cut else (None, None)
    return None, None


def proposal(
    column: str,
    previous: ColumnProposal,
    documents: Documents,
    kind: str,
    counts: str,
    *,
    maskable: bool,
    minimum: int,
    strategies: Mapping[str, Strategy[Any]],
    ctx: ColumnContext,
) -> ColumnProposal:
    """The rule for a column of documents naming their person, when `maskable` (enough
    rows, a text column no rule keeps unique or short): the YAML keys naming them
    rewritten, the JSON paths given `lorem`, the PHP keys' strings masked in place;
    else kept with a REVIEW note naming the keys."""
    keys = sorted(k for k, n in documents.named.items() if n >= minimum)
    why = [w for w in previous.why if not w.endswith("looks personal: kept")]
    why.append(f"{counts}; its values are {FORMATS[kind]}")
    paths = {p: "lorem" for p, n in sorted(documents.paths.items()) if n >= minimum}
    if kind == "json" and maskable and _fits(strategies, "jsonb", {"paths": paths}, ctx):
        why.append(f"the paths naming them, given `lorem`: {', '.join(paths)}")
        return ColumnProposal(column, "jsonb", {"paths": paths}, kind="json", why=why)
    named = [k for k in keys if not k.isdigit()]
    if kind == "php" and maskable and _fits(strategies, "php_serialized", {"keys": named}, ctx):
        why.append(f"the strings under {', '.join(named)} masked in place, lengths kept")
        return ColumnProposal(
            column, "php_serialized", {"keys": named}, kind="php_serialized", why=why
        )
    safe = [k for k in keys if _KEY.fullmatch(k) and k not in documents.nested]
    if kind == "yaml" and maskable and safe and safe == keys:
        why.append(f"the keys naming them: {', '.join(safe)}")
        return yaml_text.key_rule(column, {k: (f" {yaml_text.MASKED}", None) for k in safe}, why)
    where = f"at keys {', '.join(keys)}" if keys else "at no one key"
    why.append(
        f"REVIEW: names {where}; not replaced whole (the application would no longer "
        "read the documents): kept; an `sql` or `jsonb` rule masking those keys can"
    )
    return ColumnProposal(column, why=why)


def _fits(
    strategies: Mapping[str, Strategy[Any]], name: str, params: dict[str, Any], ctx: ColumnContext
) -> bool:
    """Whether the strategy has something to mask (`params`' one value) and fits."""
    strategy = strategies.get(name)
    return (
        strategy is not None and bool(next(iter(params.values()))) and fits(strategy, params, ctx)
    )
