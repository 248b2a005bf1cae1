"""Names the rules cannot spell: tables are named schema.table everywhere (rules files,
plans, findings), so a schema with a dot in its name makes that ambiguous."""

from __future__ import annotations

from dbrefresh.catalog import Catalog
from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.rules.model import Origin


def dotted_schemas(catalog: Catalog, origin: Origin | None = None) -> list[Finding]:
    """Errors for schemas with a dot in their name: tables are named schema.table in
    rules, plans and findings, and x.y.a.b could be schema x or x.y (the run failed
    midway with exit 3, a nightly retry loop)."""
    return [
        Finding(
            "ambiguous-schema",
            f'schema "{schema}" has a dot in its name: rules and plans name tables '
            "schema.table, which cannot say where its name ends",
            Severity.ERROR,
            Location(origin.file if origin else None, origin.line if origin else None, schema),
            "rename the schema (ALTER SCHEMA ... RENAME TO)",
        )
        for schema in sorted({t.schema for t in catalog.tables.values() if "." in t.schema})
    ]
