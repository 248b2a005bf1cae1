"""The addresses a document's rule keeps on purpose, skipped by the scan of addresses
anywhere in it.

verify samples every string holding an address anywhere in a jsonb document (the
pseudo-path ANYWHERE, leakpaths.py), so addresses under a path no rule lists count as
leaks. But an email rule at a path may keep some addresses by design: `keep` lists role
local parts (role_addresses.py: 'noreply@', 'postmaster@' name no one) and '' for a
catch-all. anonymize kept them and the scan called them survivors: "3 original email
address(es) ... survived", on rules init's own output. A plain column's check honours
`keep` already (email's leak_sample_when); the scan now honours the `keep` of every
email rule nested in the column's rule, and still counts every other address.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from dbrefresh.rules.originals import params_within
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.email import EmailParams
from dbrefresh.strategies.jsonb import path_context
from dbrefresh.strategies.registry import get

EMAIL = "email"


def kept_local_parts(params: Any) -> list[str]:
    """The local parts (lower case; '' for a catch-all) that some email rule among these
    parameters, nested ones too (a jsonb path's, a switch case's), keeps."""
    return sorted(
        {
            part.lower()
            for found in params_within(params)
            if isinstance(found, EmailParams)
            for part in found.keep
        }
    )


def anywhere_when(params: Any, ctx: ColumnContext) -> exp.Expression | None:
    """Which of the document's address strings (the text named _dbr_json) must have changed:
    those whose address has no local part the rule keeps (None: every one)."""
    keep = kept_local_parts(params)
    if not keep:
        return None
    return get(EMAIL).leak_sample_when(EmailParams(keep=keep), path_context(ctx, "text"))
