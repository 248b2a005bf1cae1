"""Render `rules init` proposals as a rules file a reviewer can read line by line.

PyYAML cannot write comments, so lines are assembled here, but every key and value
goes through yaml.safe_dump: a column named `on`, `null` or `a: b` comes out quoted
and loads back as the same string.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from dbrefresh.rules.propose import ColumnProposal

INDENT = "  "
LONG_RULE = 160  # characters of a one-line rule with cases, past which each case gets its line
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")

HEADER = """\
# Starting rules for database {database}, written by `dbrefresh rules init`.
# Every column of every table is listed, so `unlisted_columns: fail` catches new ones.
# Masked columns say why; detection is by column name and a sample of values, not a
# guarantee: review every `keep` (and every REVIEW note) before relying on this file.
"""


@dataclass(frozen=True)
class TableBlock:
    """One table of the generated file (a partitioned table covers its partitions)."""

    table: str
    columns: Sequence[ColumnProposal]
    note: str | None = None
    truncate: bool = False  # a web-session store (session_stores.py): emptied whole


class _OneLine(yaml.SafeDumper):
    """safe_dump, but a string holding a line break is double-quoted ('\\n' escaped):
    a whole address's template ('{street}\\n{postcode} {city}') otherwise spread a
    single-quoted scalar over several lines of the one-line rule."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # SQL's quotes read as written ("to_tsvector('simple', name)"), not doubled in ''
    sql_quotes = "'" in value and not any(c in value for c in '"\\')
    style = '"' if _UNPRINTABLE.search(value) or sql_quotes else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_OneLine.add_representer(str, _string)


def _flow(value: Any) -> str:
    """One YAML node on one line: a scalar quoted as needed, or a {flow: mapping}."""
    text = yaml.dump(
        value,
        Dumper=_OneLine,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=10**6,
    )
    return text.removesuffix("\n").removesuffix("\n...")


def _pair(key: str, value: Any) -> str:
    return f"{_flow(key)}: {_flow(value)}"


def _comment(parts: Sequence[str]) -> str:
    text = "; ".join(_UNPRINTABLE.sub("?", p) for p in parts if p)
    return f"  # {text}" if text else ""


def rule_value(proposal: ColumnProposal) -> str | dict[str, Any]:
    """`keep`, `email`, or `{strategy: digits, keep_prefix: 3}` when it has parameters."""
    params = {k: v for k, v in proposal.params.items() if k != "unique"}
    unique = proposal.unique or bool(proposal.params.get("unique"))
    if not params and not unique:
        return proposal.strategy
    return {"strategy": proposal.strategy, **params, **({"unique": True} if unique else {})}


def rule_line(proposal: ColumnProposal) -> str:
    """`email: {strategy: email, unique: true}`: the column's rule on one line."""
    return _pair(proposal.column, rule_value(proposal))


def column_line(proposal: ColumnProposal) -> str:
    """The column's rule and its reasons: one line, or a switch's cases one a line."""
    line = rule_line(proposal)
    value = rule_value(proposal)
    if len(line) <= LONG_RULE or not isinstance(value, dict) or "cases" not in value:
        return f"{INDENT * 3}{line}{_comment(proposal.why)}"
    return "\n".join(_block(proposal.column, value, _comment(proposal.why)))


def _block(column: str, value: dict[str, Any], comment: str) -> list[str]:
    """A long switch or forms as a block mapping, each case on its line: one line of
    100 cases was 12,000 characters no reviewer read (the reasons stay on its first)."""
    lines = [f"{INDENT * 3}{_flow(column)}:{comment}"]
    for key, part in value.items():
        if key == "cases":
            lines.append(f"{INDENT * 4}cases:")
            lines.extend(f"{INDENT * 5}{_pair(case, rule)}" for case, rule in part.items())
        else:
            lines.append(f"{INDENT * 4}{_pair(key, part)}")
    return lines


def render(
    database: str,
    tables: Sequence[TableBlock],
    large_objects: int = 0,
    drop_servers: Sequence[str] = (),
    locale: tuple[str, str] | None = None,
) -> str:
    """The whole rules file; tables sorted by name, columns in table order. A database
    holding large objects gets `large_objects: empty` (their content is unknown), one
    whose masked tables have foreign partitions drops their servers on the clone, one
    whose people are one locale's gets that `locale` (locale, why)."""
    defaults: dict[str, str] = {"unlisted_columns": "fail", "seed_env": "DBREFRESH_SEED"}
    if locale is not None:
        defaults["locale"] = locale[0]
    lines = [
        HEADER.format(database=_UNPRINTABLE.sub("?", database)).rstrip("\n"),
        _pair("version", 1),
        _pair("database", database),
        _pair("defaults", defaults) + _comment([locale[1]] if locale else []),
    ]
    if large_objects:
        note = f"{large_objects} large object(s) of unknown content; keep if none is personal"
        lines.append(_pair("large_objects", "empty") + _comment([note]))
    if drop_servers:
        note = "foreign partitions of masked tables live there: dropped before masking"
        isolate = {"drop_foreign_servers": list(drop_servers)}
        lines.append(_pair("isolate", isolate) + _comment([note]))
    lines.append("tables:" if tables else "tables: {}")
    for block in sorted(tables, key=lambda b: b.table):
        key = f"{_flow(block.table)}:"
        note = _comment([block.note] if block.note else [])
        if block.truncate or not block.columns:
            lines.append(f"{INDENT}{key} {'truncate' if block.truncate else 'keep'}{note}")
            continue
        lines.append(f"{INDENT}{key}{note}")
        lines.append(f"{INDENT * 2}columns:")
        lines.extend(column_line(p) for p in block.columns)
    return "\n".join(lines) + "\n"
