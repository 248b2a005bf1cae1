"""YAML loading that remembers where every key and value came from.

Rules and config errors must name file, line and key; PyYAML's composer knows the
line of each node, so we keep it beside the plain Python values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from dbrefresh.findings import Finding, Location


class LocatedDict(dict[str, Any]):
    """A mapping that also knows the line of each key (1-based) and its own line."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedStr(str):
    """A scalar string that knows its line."""

    line: int = 0


# libyaml's parser when PyYAML was built with it: ~8x faster on a rules file of
# thousands of tables (11,000 lines: 1.4 s in pure Python), same nodes and marks.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> LocatedStr:
    value = LocatedStr(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG, _construct_str)


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool | LocatedStr:
    """true and false only (YAML 1.2): YAML 1.1's yes/no/on/off stay the text written,
    or `value: NO` (Norway's country code) would write 'false' into a column."""
    text = str(node.value).lower()
    if text in {"true", "false"}:
        return text == "true"
    return _construct_str(loader, node)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int | LocatedStr:
    """Decimal integers only: YAML 1.1 reads 01234 (a postcode) as octal 668, 10:30 (a
    time) as 630 and 0x1A as 26; they stay the text written."""
    text = str(node.value)
    if _DECIMAL.fullmatch(text):
        return int(text)
    return _construct_str(loader, node)


_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

# An unquoted 9999-12-31 stays the text written: every rule value ends up in SQL as
# text, and a date object is not a string to `constant`, `choice` or date_shift's keep.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class YamlLoadError(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.render())


def load_located(path: Path) -> Any:
    """Parse a YAML file; syntax errors become a Finding with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlLoadError(
            Finding("file-missing", "no such file", location=Location(str(path)))
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlLoadError(
            Finding("file-unreadable", str(exc), location=Location(str(path)))
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlLoadError(
            Finding("yaml-syntax", f"invalid YAML: {problem}", location=Location(str(path), line))
        ) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(
            Finding("yaml-syntax", f"invalid YAML: {exc}", location=Location(str(path)))
        ) from None


def line_of(container: Any, key: str | None = None) -> int | None:
    """Best-known line for a key in a located mapping (or of the value itself)."""
    if isinstance(container, LocatedDict):
        return container.line_of(key) if key is not None else container.line
    if isinstance(container, LocatedStr):
        return container.line
    return None
