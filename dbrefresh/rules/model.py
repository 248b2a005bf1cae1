"""Rules as typed data: what the YAML says, with the line each piece came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dbrefresh.strategies.locales import Locales

if TYPE_CHECKING:
    from dbrefresh.catalog import Catalog

TableAction = Literal["mask", "keep", "truncate"]
SHORTHAND_ACTIONS: tuple[str, ...] = ("keep", "truncate")


class Defaults(BaseModel):
    """`defaults:` block of a rules file."""

    model_config = ConfigDict(extra="forbid")

    unlisted_columns: Literal["fail", "keep"] = Field(
        "fail", description="What to do with a column no rule lists: fail (default) or keep."
    )
    seed_env: str = Field(
        "DBREFRESH_SEED", description="Environment variable holding the masking seed."
    )
    locale: Locales = Field(
        None,
        description="Faker locale(s) the names, addresses and companies of this file's "
        "rules are drawn from (de_DE, or a list); default: all mixed.",
    )


class Isolation(BaseModel):
    """`isolate:` block: objects that could reach production, dropped from the clone."""

    model_config = ConfigDict(extra="forbid")

    drop_foreign_servers: list[str] | Literal["all"] = Field(default_factory=list)
    drop_publications: list[str] | Literal["all"] = Field(default_factory=list)
    drop_subscriptions: list[str] | Literal["all"] = Field(default_factory=list)
    unschedule_cron_jobs: bool = False


class Header(BaseModel):
    """Top-level keys of a rules file (tables are parsed separately, with lines)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    database: str | None = None
    large_objects: Literal["empty", "keep"] | None = Field(
        None,
        description="Large objects (pg_largeobject) cannot be classified column by column: "
        "empty removes them all from the clone, keep leaves them (they hold no personal "
        "data). Required when the database has any and unlisted_columns is fail.",
    )
    defaults: Defaults = Field(default_factory=Defaults)
    isolate: Isolation = Field(default_factory=Isolation)
    tables: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Origin:
    """Where a rule was written."""

    file: str
    line: int | None


@dataclass(frozen=True)
class ColumnRule:
    column: str
    strategy: str
    params: Any  # the strategy's validated StrategyParams
    unique: bool | None
    origin: Origin
    locale: tuple[str, ...] = ()  # its file's defaults.locale (strategies may override)


@dataclass(frozen=True)
class TableRule:
    table: str  # qualified 'schema.name'
    action: TableAction
    columns: dict[str, ColumnRule]
    delete_where: str | None
    origin: Origin
    # delete_cascade: rows delete_where removes take the rows referencing them along
    delete_cascade: bool = False
    # rows lost because rows they reference are deleted with delete_cascade (SQL the
    # compiler generates: rules/cascade.py; never user text, so never checked as such)
    cascaded_where: str | None = None
    # (column, condition): ON DELETE SET NULL keys whose referenced rows delete_cascade
    # deletes (rules/cascade.py, compiler-generated too)
    cascaded_nulls: tuple[tuple[str, str], ...] = ()
    # its file's defaults.unlisted_columns: each file's defaults govern the tables it
    # lists, so the order the files are given in never changes what is kept
    unlisted_columns: Literal["fail", "keep"] = "fail"

    @property
    def deleting(self) -> str | None:
        """The condition of every row this rule deletes (its own, and cascaded ones)."""
        parts = [f"({c})" for c in (self.delete_where, self.cascaded_where) if c]
        return " OR ".join(parts) or None


@dataclass
class RuleSet:
    """All rule files for one database, merged."""

    files: list[Path]
    database: str | None
    # for what no file lists (tables, large objects): the strictest of the files', so
    # `fail` if any says fail (each listed table follows its own file's: TableRule)
    unlisted_columns: Literal["fail", "keep"]
    seed_env: str
    isolate: Isolation
    tables: dict[str, TableRule] = field(default_factory=dict)
    digest: str = ""  # one file's sha256; several files': of their sorted digests
    file_digests: list[str] = field(default_factory=list)
    large_objects: Literal["empty", "keep"] | None = None
    large_objects_origin: Origin = field(default_factory=lambda: Origin("", None))
    seed_env_origin: Origin | None = None  # where defaults.seed_env was set (None: default)
    database_origin: Origin | None = None  # where `database:` was set (None: not set)

    def governing(self, catalog: Catalog, table: str) -> str | None:
        """The table whose rule governs `table`: itself, else its nearest partitioned
        ancestor with a rule (a rule on a partitioned table covers its partitions)."""
        name: str | None = table
        while name is not None:
            if name in self.tables:
                return name
            known = catalog.tables.get(name)
            name = known.parent if known else None
        return None
