"""One column's proposal as `rules init` writes it (its own module, so the modules that
make proposals need not import `propose.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbrefresh.rules.json_paths import Documents

# The note of a `jsonb` rule built from sampled documents: one text, so the rules that
# wrap such a rule (php_serialized, json_in_strings) can tell it from their own notes
SAMPLED_PATHS = "REVIEW: paths found in a sample of documents; keys it did not meet are kept"


@dataclass
class ColumnProposal:
    """One column's rule as `rules init` writes it, with the reasons for the comment."""

    column: str
    strategy: str = "keep"
    params: dict[str, Any] = field(default_factory=dict)
    unique: bool = False
    kind: str | None = None
    why: list[str] = field(default_factory=list)
    # the column's sample read as JSON documents, when the proposal read it: json_copies
    # looks for copies in the same paths, and parsing every document again cost as much
    documents: Documents | None = field(default=None, repr=False, compare=False)

    @property
    def masked(self) -> bool:
        return self.strategy != "keep"

    @property
    def nested_rule(self) -> Any:
        """The rule as another rule nests it (a JSON path's, url_path's `rule`): its
        strategy and parameters, without the column's `unique` flag."""
        if not self.params:
            return self.strategy
        return {"strategy": self.strategy, **self.params}
