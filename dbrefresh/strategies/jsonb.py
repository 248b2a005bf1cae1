"""jsonb: mask listed paths of a JSON document, each with its own strategy.

Paths are dotted keys ('customer.email', 'phones.0'); only paths that exist and are
not JSON null are rewritten, the rest of the document is kept. Each value is masked as
text (stored back as a JSON string) unless the path says `as: numeric` or `as: date`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, ColumnType, Strategy, StrategyParams
from dbrefresh.strategies.registry import UnknownStrategyError, get, register
from dbrefresh.strategies.scalar import ScalarStrategy

VALUE = "_dbr_json"
TYPES = {
    "text": ColumnType("text", "text", "S"),
    "numeric": ColumnType("numeric", "numeric", "N"),
    "date": ColumnType("date", "date", "D"),
}


class PathRule(BaseModel):
    """How one path is masked: a strategy name, its parameters, the value's type."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    strategy: str
    as_: Literal["text", "numeric", "date"] = Field(default="text", alias="as")

    def resolve(self) -> tuple[Strategy[Any], Any]:
        try:
            strategy = get(self.strategy)
        except UnknownStrategyError as err:
            raise ValueError(str(err)) from None
        if strategy.row_permutation or strategy.keeps_value or strategy.name == "jsonb":
            raise ValueError(f"{self.strategy} cannot mask a JSON path")
        return strategy, strategy.parse_params(dict(self.model_extra or {}))


class JsonbParams(StrategyParams):
    paths: dict[str, PathRule] = Field(min_length=1)
    """Dotted path -> strategy name or {strategy: ..., as: text|numeric|date, params...}."""

    @field_validator("paths", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: {"strategy": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("paths")
    @classmethod
    def _known(cls, value: dict[str, PathRule]) -> dict[str, PathRule]:
        for path, rule in value.items():
            if not path or any(not part for part in path.split(".")):
                raise ValueError(f"bad path {path!r}: use dotted keys like customer.email")
            rule.resolve()
        return value


@register
class Jsonb(ScalarStrategy[JsonbParams]):
    name = "jsonb"
    summary = "Mask listed paths of a jsonb document, each with its own strategy."
    params_model = JsonbParams

    def is_lossy(self, params: JsonbParams) -> bool:
        return any(s.is_lossy(p) for s, p in (r.resolve() for r in params.paths.values()))

    def fits(self, params: JsonbParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.base != "jsonb":
            return [f"jsonb masks jsonb documents; {ctx.column} is {ctx.type.sql}"]
        reasons = []
        for path, rule in params.paths.items():
            strategy, sub = rule.resolve()
            reasons += [f"{path}: {r}" for r in strategy.check(sub, path_context(ctx, rule.as_))]
        return reasons

    def masked(self, params: JsonbParams, ctx: ColumnContext) -> exp.Expression:
        doc: exp.Expression = ctx.ref
        for path, rule in params.paths.items():
            strategy, sub = rule.resolve()
            key = sqlbuild.literal("{" + ",".join(_quote(p) for p in path.split(".")) + "}")
            extracted = sqlbuild.fill("(:v #>> CAST(:k AS TEXT[]))", v=ctx.ref, k=key)
            if rule.as_ != "text":
                extracted = sqlbuild.cast(extracted, rule.as_)
            inner = exp.select(exp.alias_(extracted, VALUE)).offset(0)
            masked = exp.Subquery(
                this=exp.select(strategy.compile(sub, path_context(ctx, rule.as_))).from_(
                    exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_dbr_j")))
                )
            )
            # Linear in the number of paths: a missing path is replaced by the empty
            # path, which jsonb_set ignores (a CASE around jsonb_set would repeat doc).
            doc = sqlbuild.fill(
                "jsonb_set(:d, CASE WHEN jsonb_typeof(:v #> CAST(:k AS TEXT[])) <> 'null'"
                " THEN CAST(:k AS TEXT[]) ELSE CAST('{}' AS TEXT[]) END,"
                " COALESCE(to_jsonb(:m), CAST('null' AS JSONB)), FALSE)",
                v=ctx.ref,
                k=key,
                d=doc,
                m=masked,
            )
        # A scalar document has no paths (and jsonb_set refuses it).
        doc = sqlbuild.fill(
            "CASE WHEN jsonb_typeof(:v) IN ('object', 'array') THEN :d ELSE :v END",
            v=ctx.ref,
            d=doc,
        )
        return sqlbuild.cast(doc, ctx.type.sql)


def path_context(ctx: ColumnContext, as_: str) -> ColumnContext:
    """The context a path's strategy sees: a nullable scalar column named VALUE, of the
    path's `as` type (text, numeric or date)."""
    return ColumnContext(
        table=ctx.table,
        column=VALUE,
        type=TYPES[as_],
        nullable=True,
        unique=False,
        row_columns=ctx.row_columns,
        key_setting=ctx.key_setting,
    )


def _quote(part: str) -> str:
    """One element of a text[] literal, quoted so dots, commas and braces are safe."""
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
