"""Values of an unmistakable shape beat a name that says another kind.

Discourse's incoming_emails.from_address holds emails, not street addresses, and so
does Zulip's scheduled_email.data -> from_address: named `street`, every sender became
'5, rue Vincent'. When none of a column's (or a JSON path's) sampled values fits the
kind its name says, but they have one of these shapes, the values decide.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules import pii_values

# Kinds whose values have an unmistakable shape
SHAPED_KINDS = frozenset(
    {"secret", "email", "iban", "card", "national_id", "ip", "phone", "user_id"}
)


def otherwise(named: str, values: Sequence[str] | None) -> pii_values.ValueMatch | None:
    """What the values unmistakably are, when it is not the kind `named` (None: they
    fit the name, or have no such shape). Callers check first that no value fits the
    named kind (pii_values.count_kind)."""
    found = pii_values.match_values(values) if values else None
    if found is None or found.kind == named or found.kind not in SHAPED_KINDS:
        return None
    return found
