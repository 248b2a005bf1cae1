"""One column's proposal as `rules init` writes it (its own module, so the modules that
make proposals need not import `propose.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ColumnProposal:
    """One column's rule as `rules init` writes it, with the reasons for the comment."""

    column: str
    strategy: str = "keep"
    params: dict[str, Any] = field(default_factory=dict)
    unique: bool = False
    kind: str | None = None
    why: list[str] = field(default_factory=list)

    @property
    def masked(self) -> bool:
        return self.strategy != "keep"
