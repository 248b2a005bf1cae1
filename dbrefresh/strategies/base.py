"""What a masking strategy is: declared parameters, a fit check, and one SQL expression.

Every strategy compiles to a single sqlglot expression (PostgreSQL dialect) evaluated
inside the database over the row's own columns, so data never leaves PostgreSQL and a
table is rewritten by one statement. Strategies register themselves in `registry.py`
so `dbrefresh strategies` can list them with their parameters.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlglot import exp

# The document types whose values are JSON (a path names a value inside them)
JSON_TYPES = frozenset({"json", "jsonb"})


@dataclass(frozen=True)
class ColumnType:
    """A column's type as the catalog reports it, resolved through domains.

    `sql` is format_type() output (e.g. 'character varying(40)', 'numeric(10,2)',
    'public.mood', 'text[]') and is what a strategy's result is cast to.
    `base` is the base type name after resolving domains and arrays (pg_type.typname,
    e.g. 'varchar', 'bpchar', 'text', 'int4', 'numeric', 'date', 'timestamptz',
    'uuid', 'inet', 'jsonb', 'bool', or an enum's name). `category` is
    pg_type.typcategory of the base type (S string, N numeric, D date/time, E enum,
    I network, U user-defined incl. uuid/jsonb, B boolean, A array).
    """

    sql: str
    base: str
    category: str
    length: int | None = None  # varchar(n) / char(n) limit
    precision: int | None = None  # numeric(p, s)
    scale: int | None = None
    enum_labels: tuple[str, ...] = ()
    is_array: bool = False
    element_sql: str | None = None  # for arrays: the element type's format_type()
    domain: str | None = None  # the domain's name when the column's type is a domain
    # CHECK constraint texts of the domain: the column's, or its elements' (an array of
    # a domain, `domain` then None)
    domain_checks: tuple[str, ...] = ()
    # the domain's base type, format_type() spelling (for an array of a domain: an array
    # of the domain's base type, 'text[]')
    domain_base_sql: str | None = None
    # A nondeterministic (ICU) collation's qualified, quoted name, whether it ignores
    # case ('Ann' = 'ann': strength secondary or primary) and accents ('Zoë' = 'zoe':
    # strength primary)
    nondeterministic_collation: str | None = None
    collation_ignores_case: bool = False
    collation_ignores_accents: bool = False
    # A composite type's fields (name, type) in their order (pg_attribute of its
    # typrelid), for a column of it or an array of it: `composite` masks them one by one
    fields: tuple[tuple[str, ColumnType], ...] = ()
    # The column's collation, qualified and quoted (pg_catalog."default"); None for a
    # type without one. A derived rule reads masked values under it, as a trigger would.
    collation: str | None = field(default=None, compare=False)

    @property
    def is_composite(self) -> bool:
        """A value of a composite (row) type, or of a domain over one; not an array."""
        return self.category == "C" and not self.is_array

    @property
    def checked(self) -> bool:
        """Whether a domain's CHECK constrains the value: its own, or a field's."""
        return bool(self.domain_checks) or any(t.checked for _, t in self.fields)

    @property
    def is_text(self) -> bool:
        return self.category == "S" and not self.is_array

    @property
    def is_json(self) -> bool:
        """A json or jsonb document (not an array of them)."""
        return self.base in JSON_TYPES and not self.is_array

    @property
    def is_numeric(self) -> bool:
        return self.category == "N" and not self.is_array

    @property
    def is_datetime(self) -> bool:
        return self.category == "D" and not self.is_array

    def for_masked_copy(self) -> ColumnType:
        """The type masked values are cast to before the swap: the column's own, but a
        domain with a NOT VALID check by its base type. A value the strategy keeps
        ('N/A' under `digits`) may be a legacy value breaking that check, which the swap
        sets aside only for its refill (anonymize/notvalid.py); cast to the domain in
        the masked copy, it failed the table first. The refill casts to the domain.
        An array of such a domain goes through an array of the base type, its elements
        through the base type itself."""
        base = self.domain_base_sql
        if not (base and any(c.endswith("NOT VALID") for c in self.domain_checks)):
            return self
        if self.is_array and self.domain is None:
            return replace(self, sql=base, element_sql=base.removesuffix("[]"))
        return replace(self, sql=base)


@dataclass(frozen=True)
class ColumnContext:
    """Everything a strategy may know about the column it masks."""

    table: str  # qualified, unquoted: 'public.customer'
    column: str  # unquoted column name
    type: ColumnType
    nullable: bool
    unique: bool  # under a unique index / PK, or `unique: true` in the rule
    row_columns: dict[str, ColumnType] = field(default_factory=dict)  # every column of the row
    # Name of the session setting holding the secret key derived from the seed;
    # helpers.keyed_hash reads it with current_setting(), so plans never contain it.
    key_setting: str = "dbrefresh.key"
    # The rules file's `defaults: {locale: ...}`: dictionaries to draw from, unless the
    # strategy names its own (strategies/locales.py); empty: all locales mixed.
    locale: tuple[str, ...] = ()
    # Other columns of the row whose value differs in every row (NOT NULL, under a
    # unique key of their own): a template's hash of one of them is injective too.
    distinct_columns: frozenset[str] = frozenset()

    def locales(self, own: tuple[str, ...] | None) -> tuple[str, ...]:
        """The locales a dictionary strategy draws from: its own `locale`, else the file's."""
        return own if own is not None else self.locale

    @property
    def ref(self) -> exp.Expression:
        """The original value of this column in the row being rewritten.

        Under a nondeterministic collation, in the database's default one: PostgreSQL
        refuses LIKE and regular expressions (the digit test of `digits`, the format
        checks of `ip` on text) on values of a nondeterministic collation.
        """
        column = exp.column(self.column, quoted=True)
        if self.type.nondeterministic_collation is None:
            return column
        return exp.Collate(this=column, expression=exp.to_identifier("default", quoted=True))


class StrategyParams(BaseModel):
    """Base of every strategy's parameter model: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


P = TypeVar("P", bound=StrategyParams)


class Strategy(ABC, Generic[P]):
    """One masking strategy. Subclasses set the class attributes and implement compile()."""

    name: ClassVar[str]
    summary: ClassVar[str]
    params_model: ClassVar[type[StrategyParams]]
    # Lossy: several inputs may give one output (refused on unique/PK columns).
    lossy: ClassVar[bool] = True
    # Leak-checked: no original value may survive; verify counts survivors.
    leak_checked: ClassVar[bool] = True
    # Keeps the original value (keep): the column is not rewritten at all.
    keeps_value: ClassVar[bool] = False
    # Permutes the column's values among the table's rows (shuffle): compile() returns
    # the column `_dbr_shuffle_<column>` that the plan compiler provides through a
    # window-function subquery, since no scalar expression can see other rows.
    row_permutation: ClassVar[bool] = False
    # compile() reads the column only through ctx.ref (not its name, table or row): its
    # SQL for one column gives any other's by renaming, so the compiler compiles each
    # (strategy, parameters, type, nullability) once. False for row-reading strategies.
    column_local: ClassVar[bool] = True
    # compile() reads the row's MASKED values (derived): the plan evaluates it over the
    # masked row, after every other rule of the table, so it cannot nest in another rule.
    reads_masked_row: ClassVar[bool] = False

    def parse_params(self, raw: dict[str, object]) -> P:
        """Validate raw YAML parameters (pydantic raises with the offending key)."""
        return self.params_model.model_validate(raw)  # type: ignore[return-value]

    def for_column(self, params: P, column: str) -> P:
        """The parameters as a rule of `column` means them: one rule written two ways
        (switch's `by` naming the column itself, or omitted) compares and compiles as
        one."""
        return params

    def check(self, params: P, ctx: ColumnContext) -> list[str]:
        """Reasons this strategy cannot produce valid values for the column (empty: fits)."""
        return []

    def leak_sample_when(self, params: P, ctx: ColumnContext) -> exp.Expression | None:
        """Which non-NULL originals the strategy must change (None: every one). Values it
        keeps by design name no one (digits: text without a digit), and sampling them
        would report them as leaks."""
        return None

    def holds_when(self, params: P, ctx: ColumnContext) -> exp.Expression | None:
        """Which non-blank values give the rule anything to mask, kept or not (None: every
        one): a column holding none needs no leak sample, and verify does not warn that
        it took none (a document whose masked paths are all blank)."""
        return None

    def leak_paths(self, params: P, ctx: ColumnContext) -> dict[str, exp.Expression | None]:
        """For a strategy masking parts of a document: each part (a dotted path) the leak
        check samples on its own, with which of its values must change, over their text
        (None: every one). Empty: the column is checked as a whole only."""
        return {}

    def refusal(self, params: P, ctx: ColumnContext) -> exp.Expression | None:
        """A message for a row these parameters must not mask as they would (NULL for
        the others), checked on every row before anything changes (None: none such)."""
        return None

    def table_refusal(self, params: P, ctx: ColumnContext) -> exp.Expression | None:
        """A message when the rule table's data as a whole forbids these parameters (an
        expression reading no row of the statement: its own subqueries over ctx.table),
        checked once per rule table, not once per partition (None: none such)."""
        return None

    def reads_only_its_column(self, params: P) -> bool:
        """column_local, for these parameters (one may name another column to read)."""
        return self.column_local

    def is_lossy(self, params: P) -> bool:
        """Whether, with these parameters, distinct inputs may collide."""
        return self.lossy

    def is_lossy_in(self, params: P, ctx: ColumnContext) -> bool:
        """is_lossy, for this column: a strategy reading another column of the row
        (template) may be injective because that column differs in every row."""
        return self.is_lossy(params)

    @abstractmethod
    def compile(self, params: P, ctx: ColumnContext) -> exp.Expression:
        """The SQL expression giving the masked value, already of the column's type."""
