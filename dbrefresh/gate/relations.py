"""Which relation a name means, for the relations the migration itself brings in.

A migration may write one table as `public.baz` and later as `baz`, or create `foo` under
`SET search_path TO app` and name it `app.foo` afterwards: every name is compared by the
schema it resolves to under the search_path in effect where it is written. A table the
migration renames (RENAME TO, SET SCHEMA) keeps the staging table it came from, so its
new name weighs what the old one did.

Statically, the schemas that exist are unknown: `$user` is left out of a search_path (a
schema named after the role is rare), and a table the migration creates in a later
schema of the path is taken to be the one an unqualified name means.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

Key = tuple[str, str | None]  # a name as written, and the search_path it is written under

_DEFAULT = ("public",)


def path_schemas(path: str | None, user: str | None = None) -> tuple[str, ...]:
    """The schemas of a search_path value, in order ('"app", public' -> ('app', 'public')).
    `$user` means the schema named `user` when given, else nothing."""
    if path is None:
        return (user, *_DEFAULT) if user else _DEFAULT
    out: list[str] = []
    part, quoted, i = "", False, 0
    text = path + ","
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if quoted and text[i + 1 : i + 2] == '"':
                part += '"'
                i += 1
            else:
                quoted = not quoted
        elif ch == "," and not quoted:
            name = part.strip()
            if name == "$user":
                name = user or ""
            if name and name not in out:
                out.append(name)
            part = ""
        else:
            part += ch if quoted else ch.lower()
        i += 1
    return tuple(out)  # empty (pg_dump's ''): no schema, unqualified names mean nothing


def candidates(name: str, path: str | None) -> tuple[str, ...]:
    """The schema-qualified names `name` may mean, in lookup order."""
    if "." in name:
        return (name,)
    return tuple(f"{schema}.{name}" for schema in path_schemas(path))


def qualified(name: str, path: str | None) -> str:
    """Where CREATE puts `name`: its own schema, else the first of the search_path."""
    found = candidates(name, path)
    return found[0] if found else name


def find(name: str, path: str | None, among: Collection[str]) -> str | None:
    """The qualified name in `among` that `name` means under `path`, if any."""
    return next((q for q in candidates(name, path) if q in among), None)


@dataclass
class Relations:
    """Relations the migration has created, or renamed, so far (qualified names)."""

    introduced: set[str] = field(default_factory=set)  # not on staging before it
    origins: dict[str, Key] = field(default_factory=dict)  # renamed: staging's name

    def create(self, name: str, path: str | None) -> None:
        self.introduced.add(qualified(name, path))
        self.origins.pop(qualified(name, path), None)

    def rename(
        self, old: str, path: str | None, *, name: str | None = None, schema: str | None = None
    ) -> str:
        """`old` (as written under `path`) gets a new name or a new schema (RENAME TO,
        SET SCHEMA); returns its new qualified name."""
        was = find(old, path, self.introduced | set(self.origins))
        old_schema, _, old_name = (was or qualified(old, path)).partition(".")
        new = f"{schema or old_schema}.{name or old_name}"
        if was is not None and was in self.introduced:
            self.introduced.discard(was)
            self.introduced.add(new)
            return new
        origin = self.origins.pop(was, None) if was is not None else None
        self.origins[new] = origin or (old, path)
        self.introduced.discard(new)
        return new

    def is_introduced(self, name: str, path: str | None) -> bool:
        found = find(name, path, self.introduced | set(self.origins))
        return found is not None and found in self.introduced

    def origin(self, name: str, path: str | None) -> Key | None:
        found = find(name, path, self.introduced | set(self.origins))
        return self.origins.get(found) if found is not None else None

    def snapshot(
        self, names: Iterable[str], path: str | None
    ) -> tuple[frozenset[str], dict[str, Key]]:
        """For a statement's names: those the migration introduced, and where the
        renamed ones are on staging."""
        names = list(dict.fromkeys(names))
        introduced = frozenset(n for n in names if self.is_introduced(n, path))
        origins = {n: o for n in names if (o := self.origin(n, path)) is not None}
        return introduced, origins
