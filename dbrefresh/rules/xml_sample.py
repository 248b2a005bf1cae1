"""XML documents in a sample, in `rules init`: whether a column holds them, and the text
of their leaf elements by path.

ODK Central's submission_defs.xml, KoBoCAT's logger_instance.xml and Axon's event
payloads were judged free text (an email or a phone number in most) and got `lorem` or
emptied. A column whose sampled values are data documents (markup first and last, a
root element that is no HTML tag, no text mixed with elements: an HTML fragment is
prose, judged as before) is read element by element: each element holding text only
gives its path (the local names from the root, as a JSON path's keys) and its
unescaped text, for the classifier of JSON paths; each attribute value (`<contact
email="...">`) gives its element's path and its name, judged apart. The tokens are those the `xml`
strategy splits a document into (strategies/xml_tokens.py); no XML parser runs (a
sampled value may be cut, and parsers expand entities). Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape

from dbrefresh.rules.bytea_values import CUT
from dbrefresh.strategies.jsonb_pathsyntax import join_path

_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    r"""|<![A-Za-z](?:[^<>"'\[]|"[^"]*"|'[^']*'|\[[^\]]*\])*>"""
    r"""|</?[^\s<>!?/]+(?:[^<>"']|"[^"<]*"|'[^'<]*')*>|[^<]+|<""",
    re.S,
)
_NAME = re.compile(r"</?([^\s<>!?/]+)")
_ATTRIBUTE_PAIR = re.compile(r"""\s([^\s<>"'=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
STRAY_SHARE = 0.02  # sampled values allowed to be no document (a malformed row or two)
MAX_VALUES = 2000  # leaf values kept per path
# Roots of HTML and of text markup: such a value is prose, not a data document
HTML_ROOTS = frozenset(
    [
        "html",
        "head",
        "body",
        "div",
        "p",
        "span",
        "a",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "small",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "img",
        "font",
        "blockquote",
        "pre",
        "code",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "style",
        "script",
        "meta",
        "link",
        "title",
        "svg",
        "center",
        "figure",
        "form",
        "label",
        "input",
        "button",
        "select",
        "option",
        "textarea",
        "iframe",
    ]
)


@dataclass
class XmlDocuments:
    """A sample read as XML: leaf texts by path, and the local names met."""

    paths: dict[str, list[str]] = field(default_factory=dict)
    # attribute values by path: the element's path and the attribute's local name
    attributes: dict[str, list[str]] = field(default_factory=dict)
    documents: int = 0
    strays: list[str] = field(default_factory=list)  # sampled values that are none


def _local(tag: str) -> str:
    match = _NAME.match(tag)
    return match[1].rpartition(":")[2] if match else ""


def _is_start(token: str) -> bool:
    return token[:1] == "<" and token[1:2] not in ("/", "!", "?") and not token.endswith("/>")


def _add(into: dict[str, list[str]], path: str, text: str) -> None:
    values = into.setdefault(path, [])
    if len(values) < MAX_VALUES:
        values.append(text)


def _opens(token: str) -> bool:
    """Whether the token is a start tag or an empty-element tag."""
    return token[:1] == "<" and token[1:2] not in ("/", "!", "?") and bool(_NAME.match(token))


def _read_attributes(tag: str, stack: list[str], into: dict[str, list[str]]) -> None:
    """Add the non-blank attribute values of a start tag (namespace declarations
    aside), each by its element's path and its local name."""
    if not _opens(tag):
        return
    element = [*stack, _local(tag)]
    for name, double, single in _ATTRIBUTE_PAIR.findall(tag):
        value = unescape(double or single).strip()
        if value and name != "xmlns" and not name.startswith("xmlns:"):
            _add(into, join_path([*element, name.rpartition(":")[2]]), value)


def _read(
    part: str, into: dict[str, list[str]], stack: list[str], attributes: dict[str, list[str]]
) -> bool:
    """Add the leaf texts and attribute values of one piece of a document; False when
    it holds text beside elements (mixed content: prose marked up)."""
    tokens = _TOKEN.findall(part)
    for i, token in enumerate(tokens):
        if token[:1] == "<" and not token.startswith("<![CDATA["):
            _read_attributes(token, stack, attributes)
            if token.startswith("</"):
                name = _local(token)
                if name in stack:
                    del stack[len(stack) - 1 - stack[::-1].index(name) :]
            elif _is_start(token) and _NAME.match(token):
                stack.append(_local(token))
            continue
        if not token.strip():
            continue
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        leaf = _is_start(before) and after.startswith("</") and _local(after) == _local(before)
        if not leaf:
            return False
        text = token[9:-3] if token.startswith("<![CDATA[") else unescape(token.strip())
        _add(into, join_path(stack), text)
    return True


def document_paths(
    value: str, into: dict[str, list[str]], attributes: dict[str, list[str]] | None = None
) -> bool:
    """Read one sampled value into `into` (its attributes into `attributes`); False
    when it is no data document."""
    text = value.lstrip("\ufeff \t\r\n")
    head, _, tail = text.partition(CUT)
    if not head.startswith("<") or not (text.rstrip().endswith(">") or tail):
        return False
    # the root: a start tag, or an empty-element one (`<contact email="..."/>`)
    first = next((t for t in _TOKEN.findall(head[:4000]) if _opens(t)), None)
    if first is None or _local(first).lower() in HTML_ROOTS:
        return False
    found: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    if not _read(head, found, [], held) or (tail and not _read(tail, found, [], held)):
        return False
    for path, values in found.items():
        into.setdefault(path, []).extend(values)
    if attributes is not None:
        for path, values in held.items():
            attributes.setdefault(path, []).extend(values)
    return True


def xml_documents(values: Sequence[str] | None) -> XmlDocuments | None:
    """The sample read as XML documents (the values that are none set aside), or None
    when none is one."""
    sample = [v for v in values or () if v.strip()]
    if not sample:
        return None
    read = XmlDocuments()
    for value in sample:
        if document_paths(value, read.paths, read.attributes):
            read.documents += 1
        else:
            read.strays.append(value)
    return read if read.documents else None


def few_strays(read: XmlDocuments) -> bool:
    """Whether the values that are no document are a malformed row or two."""
    return len(read.strays) <= STRAY_SHARE * (read.documents + len(read.strays))
