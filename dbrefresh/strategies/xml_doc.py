"""xml: mask the text of chosen XML elements, each with its own strategy, the rest kept.

ODK Central's submission_defs.xml and KoBoCAT's logger_instance.xml (text) hold each
form submission as an XML document, Axon Framework's domain_event_entry.payload (bytea)
each event as XStream XML: `lorem` or an empty value left nothing the application could
parse. `elements` names elements by local name (the namespace prefix aside: `name`
matches `<name>` and `<h:name>`), each with a strategy written as a jsonb path's is
(`full_name`, `{strategy: date_shift, text: true}`). The text of such an element that
holds text only is unescaped, masked by its strategy as a text column's value would be
(the same email masks alike in an element and in an email column), escaped again and
written back between the same tags, its leading and trailing blanks kept; a CDATA
section stays one. `attributes` does the same for attribute values by the attribute's
local name (`<contact email="..." name="...">` carried its person through), escaped
again for their own quote (xml_attributes.py). A comment's text becomes as many spaces
(`<!-- edited by anna@x.org -->` kept its person; no application reads a comment).
Everything else (declaration, processing instructions, namespaces, other attributes and
elements, whitespace) is kept byte for byte, so the document stays well-formed
(xml_tokens.py splits it in SQL).

Works on unbounded text, varchar(n), xml and bytea (UTF-8). A value that does not
look like XML (markup first and last), bytes that are no UTF-8, or a masked document
longer than a varchar(n) become NULL (empty in a NOT NULL column): neither kept nor
failing the table. An empty value stays empty. `others` names the strategy for the
values that are no XML instead (Axon writes JSON payloads beside XStream ones: `jsonb`
with its paths, over the decoded text).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild, xml_attributes, xml_tokens
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy, StrategyParams
from dbrefresh.strategies.nested import NestedRule, shorthand
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

_TEXT = ColumnType("text", "text", "S")


def _is_name(name: str) -> bool:
    """An element's local name: an XML name without ':' (letters of any script)."""
    return (
        bool(name)
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalnum() or c in "_.-" for c in name[1:])
    )


class ElementRule(NestedRule):
    """How one element's text is masked: a strategy name and its parameters."""

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(
            lambda s: s.row_permutation or s.keeps_value, "mask an XML element"
        )


class XmlParams(StrategyParams):
    elements: dict[str, ElementRule] = Field(default_factory=dict)
    """Element local name (no namespace prefix; case matters, as in XML) -> strategy
    name or {strategy: ..., params...}: the text of every such element holding text
    only is masked by it; other elements and markup are kept."""
    attributes: dict[str, ElementRule] = Field(default_factory=dict)
    """Attribute local name (no namespace prefix; case matters) -> strategy, as
    `elements`: the value of every such attribute, on any element, is masked by it
    (`<contact email="...">`); other attributes are kept. One of the two is needed."""
    others: ElementRule | None = None
    """The strategy for the values that are no XML (an event store's JSON payloads
    beside XStream ones: `{strategy: jsonb, paths: ...}`), over their text (bytea:
    decoded); default: NULL, or empty in a NOT NULL column."""

    @field_validator("others", mode="before")
    @classmethod
    def _shorthand_others(cls, value: object) -> object:
        return shorthand(value)

    @field_validator("others")
    @classmethod
    def _known_others(cls, value: ElementRule | None) -> ElementRule | None:
        if value is not None:
            value.resolve()
        return value

    @field_validator("elements", "attributes", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): shorthand(v) for k, v in value.items()}
        return value

    @field_validator("elements", "attributes")
    @classmethod
    def _known(cls, value: dict[str, ElementRule]) -> dict[str, ElementRule]:
        for name, rule in value.items():
            if not _is_name(name):
                raise ValueError(f"{name!r} is no local name (no prefix, no spaces)")
            rule.resolve()
        return value

    @field_validator("attributes")
    @classmethod
    def _no_namespace(cls, value: dict[str, ElementRule]) -> dict[str, ElementRule]:
        if "xmlns" in value:
            raise ValueError("xmlns declares a namespace, it is no attribute to mask")
        return value

    @model_validator(mode="after")
    def _something(self) -> XmlParams:
        if not self.elements and not self.attributes:
            raise ValueError("xml needs `elements` or `attributes` to mask")
        return self


def element_context(ctx: ColumnContext) -> ColumnContext:
    """What an element's strategy sees: a nullable text column named VALUE."""
    return replace(
        ctx,
        column=xml_tokens.VALUE,
        type=_TEXT,
        nullable=True,
        unique=False,
        distinct_columns=frozenset(),
    )


@register
class Xml(ScalarStrategy[XmlParams]):
    name = "xml"
    column_local = False  # an element's strategy may read other columns of the row
    summary = (
        "XML documents (text, xml, bytea): the text of listed elements masked, each with "
        "its own strategy, comments blanked, the rest kept byte for byte."
    )
    params_model = XmlParams

    def fits(self, params: XmlParams, ctx: ColumnContext) -> list[str]:
        if not (ctx.type.is_text or ctx.type.base in {"xml", "bytea"}):
            return [f"xml masks text, xml or bytea columns; {ctx.column} is {ctx.type.sql}"]
        if ctx.type.base == "bpchar":
            return [f"xml needs text, varchar, xml or bytea; {ctx.column} is {ctx.type.sql}"]
        element = element_context(ctx)
        reasons = []
        for name, rule in params.elements.items():
            strategy, sub = rule.resolve()
            reasons += [f"{name}: {r}" for r in strategy.check(sub, element)]
        for name, rule in params.attributes.items():
            strategy, sub = rule.resolve()
            reasons += [f"@{name}: {r}" for r in strategy.check(sub, element)]
        if params.others is not None:
            strategy, sub = params.others.resolve()
            reasons += [f"others: {r}" for r in strategy.check(sub, element)]
        return reasons

    def leak_sample_when(self, params: XmlParams, ctx: ColumnContext) -> exp.Expression:
        """The values it changes: a document without any of the elements or attributes
        names no one and is kept, and sampling it reported a leak."""
        return sqlbuild.fill(
            "CAST(:r AS TEXT) IS DISTINCT FROM CAST(:m AS TEXT)",
            r=ctx.ref,
            m=self.masked(params, ctx),
        )

    def masked(self, params: XmlParams, ctx: ColumnContext) -> exp.Expression:
        masked = _by_name(ctx, params.elements)
        if ctx.type.base == "bytea":
            text = sqlbuild.fill("convert_from(:r, 'UTF8')", r=ctx.ref)
            document = _document(ctx, text, params, masked)
            decoded = sqlbuild.fill(
                "CASE WHEN :utf8 THEN convert_to(:d, 'UTF8') ELSE convert_to(:o, 'UTF8') END",
                utf8=xml_tokens.is_utf8(ctx.ref.copy()),
                d=document,
                o=_replacement(ctx),
            )
            return sqlbuild.cast(decoded, ctx.type.sql)
        text = sqlbuild.as_text(ctx.ref)
        document = _document(ctx, text, params, masked)
        return sqlbuild.cast(document, ctx.type.sql)


def _by_name(ctx: ColumnContext, rules: dict[str, ElementRule]) -> exp.Expression:
    """Each rule's strategy over VALUE, chosen by LOCAL (an element's or attribute's
    local name): NULL for a name not listed."""
    element = element_context(ctx)
    local = xml_tokens.column(xml_tokens.LOCAL)
    branches = []
    for name, rule in rules.items():
        strategy, sub = rule.resolve()
        compiled = sqlbuild.as_text(strategy.compile(sub, element))
        branches.append(exp.If(this=local.eq(sqlbuild.literal(name)), true=compiled))
    return exp.Case(ifs=branches) if branches else sqlbuild.fill("CAST(NULL AS TEXT)")


def _document(
    ctx: ColumnContext, text: exp.Expression, params: XmlParams, masked: exp.Expression
) -> exp.Expression:
    """The masked document's text; what stands for a value that is no document."""
    tag = None  # a start tag's listed attributes rewritten, the others kept
    if params.attributes:
        tag = partial(
            xml_attributes.rewritten,
            names=list(params.attributes),
            masked=_by_name(ctx, params.attributes),
        )
    rebuilt = xml_tokens.each_token(text, list(params.elements), masked, tag)
    fits = "length(_dbr_xd._dbr_x) <= :n" if ctx.type.length else "_dbr_xd._dbr_x IS NOT NULL"
    return sqlbuild.fill(
        f"CASE WHEN :looks THEN (SELECT CASE WHEN {fits} THEN _dbr_xd._dbr_x ELSE :o END"
        " FROM (SELECT :rebuilt AS _dbr_x OFFSET 0) AS _dbr_xd) WHEN :t = '' THEN :t2"
        " ELSE :o2 END",
        looks=xml_tokens.looks_like_xml(text.copy()),
        t=text.copy(),
        t2=text.copy(),
        rebuilt=rebuilt,
        o=_replacement(ctx),
        o2=_other(ctx, text.copy(), params.others),
        n=ctx.type.length or 0,
    )


def _other(ctx: ColumnContext, text: exp.Expression, rule: ElementRule | None) -> exp.Expression:
    """A value that is no XML: masked by `others` (its text as VALUE), else replaced;
    what `others` writes that no longer fits a varchar(n) is replaced too."""
    if rule is None:
        return _replacement(ctx)
    strategy, sub = rule.resolve()
    compiled = sqlbuild.as_text(strategy.compile(sub, element_context(ctx)))
    fits = "_dbr_xo._dbr_x IS NOT NULL"
    fits += " AND length(_dbr_xo._dbr_x) <= :n" if ctx.type.length else ""
    return sqlbuild.fill(
        f"(SELECT CASE WHEN {fits} THEN _dbr_xo._dbr_x ELSE :o END FROM"
        f" (SELECT :m AS _dbr_x FROM (SELECT :t AS {xml_tokens.VALUE} OFFSET 0) AS _dbr_xi"
        " OFFSET 0) AS _dbr_xo)",
        m=compiled,
        t=text,
        o=_replacement(ctx),
        n=ctx.type.length or 0,
    )


def _replacement(ctx: ColumnContext) -> exp.Expression:
    """NULL, or empty text in a NOT NULL column (bytea: no bytes, once converted)."""
    return sqlbuild.fill("CAST(NULL AS TEXT)") if ctx.nullable else sqlbuild.literal("")
