"""jsonb: mask listed paths of a JSON document, each with its own strategy.

Paths are dotted keys ('customer.email', 'phones.0'; a key holding a dot quoted:
'content."m.mentions".user_ids', jsonb_pathsyntax.py); only paths that exist and are
not JSON null are rewritten, the rest of the document is kept. An array at a path has
its elements masked one by one (its shape kept: {"email": ["old", "new"]}); a `*` names
every element of the array there ('contacts.*.email', '*' for a top-level array),
or every member of the object there ('tokens.*.token', keyed by client id:
jsonb_wildcards.py), not only the positions or keys a sample met; `[name]` the values
of the [name, value, ...] lists named so in the array there ('changed.[email_id]',
Frappe's change log: jsonb_fields.py); `[key=value]` the objects of the array there
whose key holds that string ('variables.[name=Email].value', Typebot's variables, FHIR's
telecom.[system=email].value: jsonb_fields.py). Each value is masked as
text (stored back as a JSON string) unless the path says `as: numeric` or `as: date`;
a value that is no number or ISO date there becomes JSON null instead of failing the
table.

JSON kept in a text column (Rails' and Django's serialized fields, Nextcloud, Sentry),
or as UTF-8 in bytea (Camunda, Axon: jsonb_bytes.py), is masked the same way and
written back as the masked document's text, normalized as a jsonb document is (one
masking left alike keeps its own text: jsonb_same.py). A value that is no JSON (the
rules' sample missed it), a JSON string, or one whose masked text no longer fits a
varchar(n), becomes NULL (the text `null` in a NOT NULL column, a JSON string of its
keyed hash in a unique one: jsonb_stray.py): neither kept, nor failing the table every
night (jsonb_text.py writes it back). `others` names the strategy for the values that are no JSON
instead (PHP-serialised rows of an older version, compressed payloads: jsonb_others.py).

A path whose value is a JSON string holding a document (Mattermost's users.props
{"customStatus": "{\"emoji\": ..., \"text\": ...}"}) takes a `jsonb` rule of its own:
the document in the string is masked path by path and stored back as a string.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import jsonb_bytes, jsonb_others, jsonb_same, jsonb_stray, sqlbuild
from dbrefresh.strategies.base import (
    JSON_TYPES,
    ColumnContext,
    ColumnType,
    Strategy,
    StrategyParams,
)
from dbrefresh.strategies.jsonb_bytes import is_bytes
from dbrefresh.strategies.jsonb_fields import masked_fields, masked_objects
from dbrefresh.strategies.jsonb_held import Changed, holds_maskable
from dbrefresh.strategies.jsonb_pathsyntax import is_wild, path_parts
from dbrefresh.strategies.jsonb_text import PARSED, json_text, parsed_once
from dbrefresh.strategies.jsonb_wildcards import (
    Parts,
    each_element,
    key_of,
    no_container,
    overlap_problem,
    path_problem,
    split_elements,
    split_paths,
)
from dbrefresh.strategies.nested import NestedRule, shorthand
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

VALUE = "_dbr_json"
# A text column's value parsed once per row (dbrefresh.jsonb_or_null in sql/functions.sql)
TYPES = {
    "text": ColumnType("text", "text", "S"),
    "numeric": ColumnType("numeric", "numeric", "N"),
    "date": ColumnType("date", "date", "D"),
}


# What a path's text must look like to be read `as: numeric` / `as: date`.
NUMERIC_TEXT = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$"
DATE_TEXT = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class PathRule(NestedRule):
    """How one path is masked: a strategy name, its parameters, the value's type."""

    as_: Literal["text", "numeric", "date"] = Field(default="text", alias="as")

    def resolve(self) -> tuple[Strategy[Any], Any]:
        return self.resolve_unless(lambda s: s.row_permutation or s.keeps_value, "mask a JSON path")


class JsonbParams(StrategyParams):
    paths: dict[str, PathRule] = Field(min_length=1)
    """Dotted path (`*`: every element of the array, or member of the object, there;
    `[name]`: the values of the [name, value, ...] lists named so in the array there;
    `[key=value]`: the objects there whose key holds that string, `.value` after it; a
    key with a dot, a quote or a * in double quotes, a quote doubled:
    `content."m.mentions".user_ids`) -> strategy name or {strategy: ..., as:
    text|numeric|date, params...}; `jsonb` with its own paths masks a document kept in
    a JSON string there."""
    others: jsonb_others.OtherRule | None = None
    """JSON kept in text or bytea: the strategy for the values that do not parse as JSON
    (PHP-serialised rows, compressed payloads; in bytea, over the bytes: serialized Java
    objects, XML beside the documents); default: NULL, as jsonb_stray says."""

    @field_validator("paths", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: shorthand(v) for k, v in value.items()}
        return value

    @field_validator("others", mode="before")
    @classmethod
    def _shorthand_others(cls, value: object) -> object:
        return shorthand(value)

    @field_validator("others")
    @classmethod
    def _known_others(cls, value: jsonb_others.OtherRule | None) -> jsonb_others.OtherRule | None:
        if value is not None:
            value.resolve()
        return value

    @field_validator("paths")
    @classmethod
    def _known(cls, value: dict[str, PathRule]) -> dict[str, PathRule]:
        for path, rule in value.items():
            if problem := path_problem(path):
                raise ValueError(problem)
            rule.resolve()
        if problem := overlap_problem(list(value)):
            raise ValueError(problem)
        return value


@register
class Jsonb(ScalarStrategy[JsonbParams]):
    name = "jsonb"
    column_local = False  # reads other columns of the row, or by name
    summary = (
        "Mask listed paths of a json or jsonb document, or JSON kept in text or UTF-8 bytea, "
        "each with its own strategy."
    )
    params_model = JsonbParams

    def is_lossy(self, params: JsonbParams) -> bool:
        resolved = [r.resolve() for r in params.paths.values()]
        resolved += [params.others.resolve()] if params.others is not None else []
        return any(s.is_lossy(p) for s, p in resolved)

    def is_lossy_in(self, params: JsonbParams, ctx: ColumnContext) -> bool:
        """Lossy paths, or a varchar(n) too short for the hash of a value that is no JSON."""
        return self.is_lossy(params) or jsonb_stray.lossy(ctx)

    def fits(self, params: JsonbParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.base not in JSON_TYPES and not ctx.type.is_text and not is_bytes(ctx):
            return [
                "jsonb masks json and jsonb documents, or JSON kept in text or UTF-8 bytea; "
                f"{ctx.column} is {ctx.type.sql}"
            ]
        reasons = []
        for path, rule in params.paths.items():
            strategy, sub = rule.resolve()
            reasons += [f"{path}: {r}" for r in strategy.check(sub, path_context(ctx, rule.as_))]
            if strategy.name == self.name and rule.as_ != "text":
                reasons.append(f"{path}: a document in a JSON string is masked as text")
        if params.others is not None:
            reasons += jsonb_others.problems(params.others, ctx)
        return reasons

    def leak_sample_when(self, params: JsonbParams, ctx: ColumnContext) -> exp.Expression:
        """A document whose paths hold nothing to mask (missing, JSON null, blank, an
        empty array: Chatwoot's "cc_emails": []) is kept as it is (it is no leak)."""
        if ctx.type.is_text or is_bytes(ctx):
            held = self._holds_paths(params, ctx, PARSED)
            if params.others is not None:
                others = jsonb_others.leak_when(params.others, ctx, PARSED)
                held = sqlbuild.fill("(:o) OR (:h)", o=others, h=held)
            return parsed_once(ctx, held)
        return self._holds_paths(params, ctx, _document(ctx))

    def holds_when(self, params: JsonbParams, ctx: ColumnContext) -> exp.Expression | None:
        """A document whose paths hold nothing (pretalx's anonymised_data {"notes": ""})
        gives the rule nothing to mask, whatever else it holds; with `others`, any may."""
        if params.others is not None:
            return None
        if ctx.type.is_text:
            return parsed_once(ctx, self._holds_paths(params, ctx, PARSED, kept=True))
        return self._holds_paths(params, ctx, _document(ctx), kept=True)

    def _holds_paths(
        self, params: JsonbParams, ctx: ColumnContext, value: exp.Expression, kept: bool = False
    ) -> exp.Expression:
        """Whether a path holds a value its strategy changes (`kept`: any value at all)."""
        split = split_elements([path_parts(p) for p in params.paths])
        held = [
            holds_maskable(
                value,
                _key(path),
                wildcard=any(map(is_wild, path_parts(path))),
                changed=_scalars(None if kept else _changed(rule, ctx), path_parts(path) in split),
            )
            for path, rule in params.paths.items()
        ]
        return sqlbuild.fill(
            "jsonb_typeof(:v) IN ('object', 'array') AND :any",
            v=value,
            any=exp.Paren(this=exp.or_(*held)),
        )

    def leak_paths(
        self, params: JsonbParams, ctx: ColumnContext
    ) -> dict[str, exp.Expression | None]:
        """Every path a leak-checked strategy masks, with the values it must change, over
        their text (column VALUE): a document counts as changed when any path changed,
        so a path that keeps its values hides behind the others unless checked alone.
        Blank text is kept (ScalarStrategy), and a value `as: numeric|date` cannot read
        becomes JSON null (it changes)."""
        out: dict[str, exp.Expression | None] = {}
        split = split_elements([path_parts(p) for p in params.paths])
        for path, rule in params.paths.items():
            strategy, sub = rule.resolve()
            if not strategy.leak_checked:
                continue
            own = strategy.leak_sample_when(sub, path_context(ctx, rule.as_))
            text = exp.column(VALUE, quoted=True)
            if path_parts(path) in split:  # its objects: by the paths under it, sampled so
                scalar = no_container(text.copy())
                own = scalar if own is None else sqlbuild.fill(":s AND (:o)", s=scalar, o=own)
            if rule.as_ == "text":
                blank = sqlbuild.fill("btrim(:v) <> ''", v=text)
                out[path] = blank if own is None else sqlbuild.fill(":b AND (:o)", b=blank, o=own)
                continue
            over = _over(_parsed(text, rule.as_), own if own is not None else exp.true())
            out[path] = exp.Subquery(
                this=over.where(
                    exp.column(VALUE, table="_dbr_j", quoted=True).is_(exp.null()).not_()
                )
            )
        return out

    def masked(self, params: JsonbParams, ctx: ColumnContext) -> exp.Expression:
        if is_bytes(ctx):  # UTF-8 JSON in bytea (jsonb_bytes.py)
            document = self._masked_document(params, ctx, PARSED)
            return jsonb_bytes.masked(ctx, document, params.others)
        if ctx.type.is_text:
            masked = jsonb_stray.unless_string(PARSED, self._masked_document(params, ctx, PARSED))
            return json_text(ctx, masked, params.others)
        if ctx.type.base == "jsonb":
            return sqlbuild.cast(self._masked_document(params, ctx, ctx.ref), ctx.type.sql)
        # json: parsed once per row, and its own text kept when masking changed nothing
        document = self._masked_document(params, ctx, PARSED)
        same = jsonb_same.unless_same(ctx.ref.copy(), document, PARSED.copy(), "json")
        parsed = sqlbuild.fill(
            "(SELECT :e FROM (SELECT CAST(:r AS JSONB) AS _dbr_doc OFFSET 0) AS _dbr_d)",
            e=same,
            r=ctx.ref,
        )
        return sqlbuild.cast(parsed, ctx.type.sql)

    def _masked_document(
        self, params: JsonbParams, ctx: ColumnContext, value: exp.Expression
    ) -> exp.Expression:
        """The document (jsonb) with its paths masked; scalar documents as they are."""
        paths = [(path_parts(path), rule) for path, rule in params.paths.items()]
        return self._masked_paths(ctx, value, paths, 0)

    def _masked_paths(
        self,
        ctx: ColumnContext,
        value: exp.Expression,
        paths: list[tuple[Parts, PathRule]],
        depth: int,
    ) -> exp.Expression:
        """`value` (a document, or an array's element under a wildcard) with its paths
        masked: those without a wildcard read from it, then each wildcard's array
        rebuilt from what they left (two wildcards on one array keep each other's), then
        each list of [name, value, ...] lists named by `[name]` segments (jsonb_fields.py)."""
        doc: exp.Expression = value
        split = split_paths(paths)
        for parts, rule in split.plain:
            key = key_of(parts)
            # Linear in the number of paths: a missing path is replaced by the empty
            # path, which jsonb_set ignores (a CASE around jsonb_set would repeat doc).
            doc = sqlbuild.fill(
                "jsonb_set(:d, CASE WHEN jsonb_typeof(:v #> CAST(:k AS TEXT[])) <> 'null'"
                " THEN CAST(:k AS TEXT[]) ELSE CAST('{}' AS TEXT[]) END,"
                " :m, FALSE)",
                v=value,
                k=key,
                d=doc,
                m=self._masked_value(ctx, value, key, rule),
            )
        for prefix, rests in split.groups.items():
            doc = each_element(doc, prefix, depth, partial(self._masked_element, ctx, rests, depth))
        for (prefix, discriminator), by_value in split.objects.items():
            selected = {
                value: partial(self._masked_element, ctx, rests, depth)
                for value, rests in by_value.items()
            }
            doc = each_element(doc, prefix, depth, partial(masked_objects, discriminator, selected))
        for prefix, named in split.fields.items():
            masks = {
                name: partial(self._masked_element, ctx, rests, depth)
                for name, rests in named.items()
            }
            doc = each_element(doc, prefix, depth, partial(masked_fields, masks, depth))
        # A scalar document has no paths (and jsonb_set refuses it).
        return sqlbuild.fill(
            "CASE WHEN jsonb_typeof(:v) IN ('object', 'array') THEN :d ELSE :v END",
            v=value,
            d=doc,
        )

    def _masked_element(
        self,
        ctx: ColumnContext,
        rests: list[tuple[Parts, PathRule]],
        depth: int,
        element: exp.Expression,
    ) -> exp.Expression:
        """An array's element under a wildcard: masked itself when the path ends at the
        `*` (JSON null kept), else its own paths masked (an element that is no object
        or array is kept); with both, an object or array by its paths, any other
        element by the `*`'s rule (splits_elements)."""
        whole = [rule for parts, rule in rests if not parts]
        if not whole:
            return self._masked_paths(ctx, element, rests, depth + 1)
        itself = sqlbuild.fill(
            "CASE WHEN jsonb_typeof(:e) = 'null' THEN :e ELSE :m END",
            e=element,
            m=self._masked_value(ctx, element, key_of(()), whole[0]),
        )
        inside = [(parts, rule) for parts, rule in rests if parts]
        if not inside:
            return itself
        return sqlbuild.fill(
            "CASE WHEN jsonb_typeof(:e) IN ('object', 'array') THEN :p ELSE :s END",
            e=element.copy(),
            p=self._masked_paths(ctx, element.copy(), inside, depth + 1),
            s=itself,
        )

    def _masked_value(
        self, ctx: ColumnContext, value: exp.Expression, key: exp.Expression, rule: PathRule
    ) -> exp.Expression:
        """The value at `key` masked by its rule, as jsonb: an array there element by
        element, a scalar (or an object, as its text) as one value."""
        strategy, sub = rule.resolve()
        extracted = sqlbuild.fill("(:v #>> CAST(:k AS TEXT[]))", v=value, k=key)
        if rule.as_ != "text":
            extracted = _parsed(extracted, rule.as_)
        compiled = strategy.compile(sub, path_context(ctx, rule.as_))
        original = sqlbuild.fill("(:v #> CAST(:k AS TEXT[]))", v=value, k=key)
        scalar = _as_json(extracted, compiled, original)
        return sqlbuild.fill(
            "CASE WHEN jsonb_typeof(:v #> CAST(:k AS TEXT[])) = 'array' THEN :a ELSE :s END",
            v=value,
            k=key,
            a=_each_element(value, key, compiled.copy(), rule.as_),
            s=scalar,
        )


def _over(value: exp.Expression, compiled: exp.Expression) -> exp.Select:
    """SELECT `compiled` (an expression over the column VALUE) with VALUE bound to
    `value`, computed once (OFFSET 0 keeps the planner from inlining it per use)."""
    inner = exp.select(exp.alias_(value, VALUE)).offset(0)
    return exp.select(compiled).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_dbr_j")))
    )


def _as_json(
    value: exp.Expression, compiled: exp.Expression, original: exp.Expression
) -> exp.Expression:
    """`compiled` over `value` as jsonb (SQL NULL as JSON null); a number its strategy
    left as it was stays the number (`forms` keeps a cohort's id 8 beside addresses:
    to_jsonb of its text made it the string "8", and PostHog's filter matched none)."""
    inner = exp.select(exp.alias_(value, VALUE), exp.alias_(original, "_dbr_jo")).offset(0)
    masked = (  # OFFSET 0: the mask computed once, though read twice
        exp.select(exp.alias_(compiled, "_dbr_jm"), VALUE, "_dbr_jo")
        .from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_dbr_j"))))
        .offset(0)
    )
    return sqlbuild.fill(
        "(SELECT CASE WHEN jsonb_typeof(_dbr_jo) = 'number' AND _dbr_jm = :n"
        " THEN _dbr_jo ELSE COALESCE(to_jsonb(_dbr_jm), CAST('null' AS JSONB)) END"
        " FROM (:m) AS _dbr_jk)",
        n=exp.column(VALUE),
        m=masked,
    )


def _each_element(
    value: exp.Expression, key: exp.Expression, compiled: exp.Expression, as_: str
) -> exp.Expression:
    """An array at the path, its elements masked one by one in order: Rails' audited
    stores a change as {"email": ["old", "new"]}, which the scalar path turned into one
    string (the shape gone, the application's parser broken)."""
    original = exp.column("_dbr_e", table="_dbr_a")
    element = sqlbuild.fill("(:e #>> CAST('{}' AS TEXT[]))", e=original.copy())
    if as_ != "text":
        element = _parsed(element, as_)
    each = _as_json(element, compiled, original)
    return sqlbuild.fill(
        "COALESCE((SELECT jsonb_agg(:m"
        " ORDER BY _dbr_a._dbr_o) FROM jsonb_array_elements(:v #> CAST(:k AS TEXT[]))"
        " WITH ORDINALITY AS _dbr_a(_dbr_e, _dbr_o)), CAST('[]' AS JSONB))",
        m=each,
        v=value,
        k=key,
    )


def _document(ctx: ColumnContext) -> exp.Expression:
    """The column as jsonb: a json document is masked as jsonb and cast back, so a
    masked one comes out normalized (whitespace, key order, the last of duplicate
    keys), as every jsonb document is; one masking left alike keeps its own text
    (jsonb_same.py)."""
    if ctx.type.base == "jsonb":
        return ctx.ref
    return sqlbuild.cast(ctx.ref, "jsonb")


def _parsed(text: exp.Expression, as_: str) -> exp.Expression:
    """The path's text as a number or a date, or NULL (stored as JSON null) when it is
    none ('n/a'): a failed cast would refuse the whole table. A date of a month's
    nonexistent day (2023-02-30) rolls over into the next month rather than fail."""
    if as_ == "numeric":
        return sqlbuild.fill(
            "CASE WHEN :t ~ :r THEN CAST(:t AS NUMERIC) END", t=text, r=NUMERIC_TEXT
        )
    return sqlbuild.fill(
        "CASE WHEN :t ~ :r THEN CAST(substr(:t, 1, 7) || '-01' AS DATE)"
        " + (CAST(substr(:t, 9, 2) AS INT) - 1) END",
        t=text,
        r=DATE_TEXT,
    )


def _scalars(changed: Changed | None, split: bool) -> Changed | None:
    """`changed` of a split `*` path: its objects count under the paths beneath it."""
    if not split:
        return changed
    if changed is None:
        return no_container
    return lambda text: sqlbuild.fill(":s AND (:c)", s=no_container(text.copy()), c=changed(text))


def _changed(rule: PathRule, ctx: ColumnContext) -> Changed | None:
    """Which text values of a path its strategy changes (its leak_sample_when, over a
    given value instead of VALUE), or None: every one (or a path read as a number or a
    date, which holds its own test)."""
    strategy, sub = rule.resolve()
    own = strategy.leak_sample_when(sub, path_context(ctx, rule.as_))
    if own is None or rule.as_ != "text" or not strategy.leak_checked:
        return None

    def changed(text: exp.Expression) -> exp.Expression:
        return own.copy().transform(
            lambda node: (
                text.copy()
                if isinstance(node, exp.Column) and node.name == VALUE and not node.table
                else node
            )
        )

    return changed


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
        locale=ctx.locale,
    )


def _key(path: str) -> exp.Expression:
    """A path as a text[] literal for #> and jsonb_set."""
    return key_of(path_parts(path))
