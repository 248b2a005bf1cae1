"""A switch's case rules, in `rules init`: none keeps what it cannot read.

`phone` rewrites digits only: under a phone case of Tryton's contact table, the Skype
name 'live:anna.schmidt3' became 'live:anna.schmidt7', and 'anna.schmidt' (no digit)
stayed whole. A case judged `phone` from its sample may meet any value later (a label,
a handle typed into the wrong kind): it masks phone numbers as phone numbers, and any
other value by `hash` (forms' phone form, digits and separators only). A `forms` rule
whose other values fall to `phone` ('any other value by phone') gets the same: a phone
case, `hash` for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dbrefresh.rules.init_yaml import rule_value
from dbrefresh.rules.proposal import ColumnProposal

SAFE_DEFAULT = "hash"


def _strategy(rule: Any) -> str:
    return str(rule["strategy"] if isinstance(rule, dict) else rule)


def safe_rule(rule: Any) -> Any:
    """The rule (a strategy name or a mapping, as a switch case holds it), with phone
    masking reserved for values of a phone number's form."""
    if _strategy(rule) == "phone":
        return {"strategy": "forms", "cases": {"phone": rule}, "default": SAFE_DEFAULT}
    if (
        isinstance(rule, dict)
        and rule.get("strategy") == "forms"
        and _strategy(rule.get("default", "keep")) == "phone"
    ):
        cases = dict(rule.get("cases", {}))
        cases.setdefault("phone", rule["default"])
        return {**rule, "cases": cases, "default": SAFE_DEFAULT}
    return rule


def safe_cases(params: dict[str, Any]) -> dict[str, Any]:
    """A switch's parameters with every case and the default made safe (in place)."""
    params["cases"] = {key: safe_rule(rule) for key, rule in params["cases"].items()}
    if "default" in params:
        params["default"] = safe_rule(params["default"])
    return params


def unmet_masked(
    params: dict[str, Any],
    kept: list[str],
    whole: ColumnProposal,
    max_cases: int,
    order: Callable[[str], Any],
) -> bool:
    """Keys the sample did not meet masked by the rule the column got as a whole, when
    that rule masks (a label the sample missed kept an address before): the keys judged
    not personal listed as `keep`, so they stay as they were (in place; False when the
    switch keeps its default: a whole rule keeping values, a jsonb one (eav_json.py),
    or too many keys to list)."""
    cases: dict[str, Any] = params["cases"]
    if (
        "default" in params
        or not whole.masked
        or whole.strategy == "jsonb"
        or whole.unique  # a unique rule is no case's (Sentry's filtervalue.value)
        or bool(whole.params.get("unique"))
        or len(cases) + len(kept) > max_cases
    ):
        return False
    listed = {**cases, **dict.fromkeys(kept, "keep")}
    params["cases"] = {key: listed[key] for key in sorted(listed, key=order)}
    params["default"] = rule_value(whole)
    return True


def with_safe_rules(switch: ColumnProposal) -> ColumnProposal:
    """The switch with every case and its default made safe."""
    safe_cases(switch.params)
    return switch
