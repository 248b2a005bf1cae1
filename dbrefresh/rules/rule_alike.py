"""Every rule of one strategy `rules init` proposes masks equal values alike: columns,
JSON paths and switch cases get the same variant parameters.

A value masks to the same output only under the same parameters: `unique: true`
permutes where plain rules draw from a digest, `keep_prefix` and `e164` change what is
kept. The columns of one strategy got `unique: true` together, but a JSON path kept
plain `phone`: GoTrue's `audit_log_entries.payload->'traits'->>'user_phone'` matched
`users.phone` (`{phone, unique: true}`) in 659 of 659 rows before masking and in none
after, and Zitadel's event payloads lost their `phone` join with the projection. So,
per strategy with a `unique` switch (email, phone, digits, ip):

- `unique: true` on every rule once one rule has it (or one column is unique);
- the first unique column's `keep_prefix` on every rule (the same shape, or equal
  numbers differ), unless a rule reads bare numbers as E.164 (`e164`, which keeps the
  calling code itself and refuses a keep_prefix);
- not `e164`: it is proposed from each rule's own sample (e164.py), never spread. Spread,
  it read national numbers ('466-497-3042') beside a GoTrue column as '+46...' and kept
  their first digits (2 in 1,329 of 1,500 rows).

Email's `fold_case` follows its own rules (email_alike.py: folding is not always safe).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy

NESTED = ("paths", "cases")  # parameters holding rules (jsonb's paths, switch's cases)
UNIQUE, KEEP_PREFIX, E164 = "unique", "keep_prefix", "e164"


@dataclass
class _Rule:
    """One rule of a strategy: a column's proposal, or a rule nested in one (the mapping
    holding it and its key there; a shorthand string is turned into a mapping when a
    parameter is added)."""

    proposal: ColumnProposal
    rules: MutableMapping[str, Any] | None = None
    key: str = ""

    @property
    def params(self) -> Mapping[str, Any]:
        if self.rules is None:
            return self.proposal.params
        rule = self.rules[self.key]
        return rule if isinstance(rule, dict) else {}

    @property
    def unique(self) -> bool:
        return bool(self.params.get(UNIQUE)) or (self.rules is None and self.proposal.unique)

    def set(self, name: str, value: Any, why: str) -> None:
        if self.rules is None:
            self.proposal.params[name] = value
            self.proposal.why.append(why)
            return
        rule = self.rules[self.key]
        if not isinstance(rule, dict):
            rule = self.rules[self.key] = {"strategy": rule}
        rule[name] = value
        self.proposal.why.append(f"{self.key}: {why}")


def align_variants(
    proposals: Mapping[str, Mapping[str, ColumnProposal]], strategies: Mapping[str, Strategy[Any]]
) -> None:
    """The same variant parameters on every rule of each strategy, in place."""
    alike = {n for n, s in strategies.items() if UNIQUE in s.params_model.model_fields}
    by_strategy: dict[str, list[_Rule]] = {}
    for columns in proposals.values():
        for proposal in columns.values():
            for name, rule in _rules_of(proposal):
                if name in alike:
                    by_strategy.setdefault(name, []).append(rule)
    for name, group in by_strategy.items():
        _align(name, group)


def _align(name: str, group: list[_Rule]) -> None:
    sources = sorted((r for r in group if r.unique), key=lambda r: r.rules is not None)
    source = sources[0] if sources else None  # the first unique column, else path
    for rule in group:
        kind = "columns" if rule.rules is None else "rules"
        said = f"like the other {name} {kind}, so equal values mask alike"
        if source is not None and not rule.unique:
            rule.set(UNIQUE, True, f"unique: true {said}")
        # the same shape, or equal numbers differ
        prefix = source.params.get(KEEP_PREFIX) if source is not None else None
        if prefix is not None and rule.params.get(KEEP_PREFIX) != prefix and not _e164(rule):
            rule.set(KEEP_PREFIX, prefix, f"keep_prefix: {prefix} {said}")


def _e164(rule: _Rule) -> bool:
    return bool(rule.params.get(E164))


def _rules_of(proposal: ColumnProposal) -> Iterator[tuple[str, _Rule]]:
    """(strategy, rule) for the column's own rule, then each rule nested in it."""
    yield proposal.strategy, _Rule(proposal)
    for rules in containers(proposal.params):
        for key, rule in rules.items():
            name = rule if isinstance(rule, str) else rule.get("strategy")
            if isinstance(name, str):
                yield name, _Rule(proposal, rules, key)


def containers(params: Mapping[str, Any]) -> Iterator[MutableMapping[str, Any]]:
    """The rule mappings (paths, cases) among a rule's parameters, nested ones too."""
    for key in NESTED:
        rules = params.get(key)
        if isinstance(rules, dict):
            yield rules
            for rule in rules.values():
                if isinstance(rule, dict):
                    yield from containers(rule)
